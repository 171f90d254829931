import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * DrainSwitch tells a listener's clients to go away politely: once started, every response not
 * yet begun (in flight, or arriving on a kept-alive connection) is sent with `Connection: close`,
 * and Node closes the connection after it. Nothing is refused: a request that already reached the
 * hub is served, so a reverse proxy never sees a reset or a 503 from the hub's own closing.
 */
export interface DrainSwitch {
  readonly draining: boolean;
  start(): void;
}

/**
 * Watches the requests of `servers` from the moment it is created. Works below Fastify (on the
 * Node response), so it also covers replies that bypass Fastify's hooks (the mounted provider).
 */
export function createDrainSwitch(servers: readonly Server[]): DrainSwitch {
  let draining = false;
  const inFlight = new Set<ServerResponse>();
  const onRequest = (_req: IncomingMessage, res: ServerResponse) => {
    if (draining) {
      closeAfter(res);
      return;
    }
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  };
  // Prepended, so it runs before Fastify's own request handler answers anything.
  for (const server of servers) server.prependListener('request', onRequest);
  return {
    get draining() {
      return draining;
    },
    start() {
      if (draining) return;
      draining = true;
      // Headers not yet written still decide the connection's fate: Node writes
      // `Connection: close` and ends the socket after the response.
      for (const res of inFlight) if (!res.headersSent) closeAfter(res);
      inFlight.clear();
    },
  };
}

const HOP_HEADERS = new Set(['connection', 'keep-alive']);

/**
 * Makes Node send `Connection: close` and end the socket after this response. Headers are
 * fixed when written: a `Connection`/`Keep-Alive` header set meanwhile (the Kratos proxy copies
 * its upstream's) would otherwise win.
 */
function closeAfter(res: ServerResponse): void {
  res.shouldKeepAlive = false;
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    // Set, not removed: Node sends no Connection header at all once it was removed.
    this.removeHeader('keep-alive');
    this.setHeader('connection', 'close');
    for (const arg of args) {
      if (arg && typeof arg === 'object' && !Array.isArray(arg)) {
        for (const name of Object.keys(arg)) if (HOP_HEADERS.has(name.toLowerCase())) delete (arg as Record<string, unknown>)[name];
      }
    }
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
}
