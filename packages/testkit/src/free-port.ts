import { createServer } from 'node:net';

/** Asks the kernel for a free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port assigned'));
      });
    });
  });
}

export interface PortReservation {
  port: number;
  /** Frees the port for the server that will use it; call right before that server listens. */
  release(): Promise<void>;
}

/**
 * Holds a free port open until `release()`, so nothing else (another Kratos, SMTP capture, a
 * parallel test run) can be handed it while the server meant for it is still being set up.
 */
export async function reservePort(): Promise<PortReservation> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('no port assigned');
  return { port: address.port, release: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
