import { createServer } from 'node:net';

// Ports this process has handed out. The kernel may give the port it just freed to the next
// bind(0): two freePort() calls in a row once gave Kratos the same port for its public and
// admin listeners, and it exited with "address already in use".
const handedOut = new Set<number>();

/** Asks the kernel for a free TCP port on loopback, never one this process was given before. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await askKernel();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('the kernel offered no port this process had not been given already (50 tries)');
}

function askKernel(): Promise<number> {
  return new Promise((resolve, reject) => {
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
