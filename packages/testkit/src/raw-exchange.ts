import { connect } from 'node:net';

/** What a server did with a request written on a raw socket. */
export interface RawExchange {
  /** The bytes received, as latin1 (one character per byte). */
  received: string;
  /** Milliseconds until the first byte of the answer. */
  answeredAfter: number | undefined;
  /** Milliseconds until the server closed the connection, or undefined if it was still open at `waitMs`. */
  closedAfter: number | undefined;
}

/**
 * Writes `parts` on a raw socket to 127.0.0.1:`port` (pausing `pauseMs` between them), optionally
 * half-closes, and watches what the server does for up to `waitMs`: for what an HTTP client
 * cannot send (a stalled body, a half-close, a malformed request line). Tests that use it turn
 * nock off, which would otherwise intercept the socket.
 */
export function rawExchange(port: number, parts: string | string[], { halfClose = false, pauseMs = 0, waitMs = 3_000 } = {}): Promise<RawExchange> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let answeredAfter: number | undefined;
    const done = (closedAfter: number | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ received, answeredAfter, closedAfter });
    };
    const timer = setTimeout(() => done(undefined), waitMs);
    socket.on('data', (d: Buffer) => {
      answeredAfter ??= performance.now() - started;
      received += d.toString('latin1');
    });
    socket.on('error', () => {});
    socket.on('close', () => done(performance.now() - started));
    socket.once('connect', async () => {
      for (const [i, part] of (typeof parts === 'string' ? [parts] : parts).entries()) {
        if (i > 0) await new Promise((r) => setTimeout(r, pauseMs));
        socket.write(part);
      }
      if (halfClose) socket.end();
    });
  });
}
