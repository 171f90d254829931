import net from 'node:net';
import tls from 'node:tls';
import type { FuzzCase } from './generate.ts';

export interface Endpoint {
  port: number;
  /** SNI name for TLS listeners; plain TCP when absent. */
  servername?: string;
}

/**
 * What came back: `status` (the final status line, 1xx skipped), `closed` (the server closed or
 * reset the connection before a status line), or `hang` (neither within the deadline).
 */
export type Outcome =
  | { kind: 'status'; status: number; ms: number }
  | { kind: 'closed'; ms: number; error?: string }
  | { kind: 'hang'; ms: number; received: number }
  | { kind: 'aborted'; ms: number };

// TLS sessions are resumed (one ticket per listener), so most cases skip the full handshake:
// the run measures the hub, not RSA.
const sessions = new Map<string, Buffer>();

/**
 * Sends one case over a raw socket (TLS for the hub and the apps, TCP for the admin listener),
 * exactly as generated, and waits at most `deadlineMs` for the server's answer.
 */
export function sendCase(endpoint: Endpoint, c: FuzzCase, deadlineMs: number): Promise<Outcome> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  return new Promise<Outcome>((resolve) => {
    const key = `${endpoint.servername}:${endpoint.port}`;
    const socket: net.Socket = endpoint.servername
      ? tls.connect({ host: '127.0.0.1', port: endpoint.port, servername: endpoint.servername, rejectUnauthorized: false, session: sessions.get(key) })
      : net.connect({ host: '127.0.0.1', port: endpoint.port });
    if (endpoint.servername) (socket as tls.TLSSocket).on('session', (s: Buffer) => sessions.set(key, s));
    let received = Buffer.alloc(0);
    let done = false;
    const finish = (o: Outcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(o);
    };
    const timer = setTimeout(() => finish({ kind: 'hang', ms: ms(), received: received.length }), deadlineMs);
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const status = parseResponse(received, c.method === 'HEAD', true);
      finish(status !== undefined ? { kind: 'status', status, ms: ms() } : { kind: 'closed', ms: ms(), error: err.code ?? err.message });
    });
    socket.on('close', () => {
      const status = parseResponse(received, c.method === 'HEAD', true);
      finish(status !== undefined ? { kind: 'status', status, ms: ms() } : { kind: 'closed', ms: ms() });
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const status = parseResponse(received, c.method === 'HEAD', false);
      if (status !== undefined) finish({ kind: 'status', status, ms: ms() });
    });
    socket.once(endpoint.servername ? 'secureConnect' : 'connect', () => {
      void write(socket, c).then(
        () => {
          if (c.delivery === 'abort') finish({ kind: 'aborted', ms: ms() });
          else if (c.delivery === 'half-close') socket.end();
        },
        () => undefined,
      );
    });
  });
}

async function write(socket: net.Socket, c: FuzzCase): Promise<void> {
  for (const [i, chunk] of c.chunks.entries()) {
    if (socket.destroyed) return;
    await new Promise<void>((resolve) => socket.write(chunk, () => resolve()));
    if (c.chunks.length > 1 && i < c.chunks.length - 1) await new Promise((r) => setTimeout(r, 5 + (i % 3) * 10));
  }
}

/**
 * The final status of a complete response in `buf`, or undefined while incomplete. With `closed`,
 * a response whose head arrived counts even if the body was cut short.
 */
export function parseResponse(buf: Buffer, head: boolean, closed: boolean): number | undefined {
  let offset = 0;
  for (;;) {
    const end = buf.indexOf('\r\n\r\n', offset);
    if (end < 0) return undefined;
    const text = buf.subarray(offset, end).toString('latin1');
    const m = /^HTTP\/\d\.\d (\d{3})/.exec(text);
    if (!m) return undefined;
    const status = Number(m[1]);
    if (status >= 100 && status < 200 && status !== 101) {
      offset = end + 4;
      continue;
    }
    if (closed || head || status === 204 || status === 304 || status === 101) return status;
    const body = buf.subarray(end + 4);
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(text);
    if (length) return body.length >= Number(length[1]) ? status : undefined;
    if (/\r\ntransfer-encoding:\s*chunked/i.test(text)) return body.toString('latin1').endsWith('0\r\n\r\n') ? status : undefined;
    // Neither: the body runs until the server closes.
    return undefined;
  }
}
