import type { IncomingMessage, ServerResponse } from 'node:http';

// node:http has no Request/Response and Node ships no converter; these two functions are the
// smallest bridge that lets createSsoWebHandler (or any fetch-style handler) serve node:http.
// No `node:stream` import: the module stays loadable where only web streams exist.

/**
 * toWebRequest turns a node:http request into a Fetch API `Request`. The URL is built from
 * `origin` (the app's own `baseUrl`), never from the Host header a client chose. The body is
 * streamed, not buffered, and only for methods that have one.
 *
 * @example
 * ```ts
 * createServer(async (req, res) => {
 *   const response = (await sso.handle(toWebRequest(req, client.options.baseUrl))) ?? new Response('not found', { status: 404 });
 *   await sendWebResponse(res, response);
 * });
 * ```
 */
export function toWebRequest(req: IncomingMessage, origin: string | URL): Request {
  const url = new URL(req.url ?? '/', origin);
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    // HTTP/2 pseudo-headers (`:path`) are not header names the Fetch API accepts.
    if (!name.startsWith(':')) headers.append(name, raw[i + 1]!);
  }
  const method = req.method ?? 'GET';
  const init: RequestInit & { duplex?: 'half' } = { method, headers };
  if (method !== 'GET' && method !== 'HEAD') {
    init.body = streamOf(req);
    init.duplex = 'half';
  }
  return new Request(url, init);
}

/**
 * sendWebResponse writes a Fetch API `Response` to a node:http response: status, headers (each
 * Set-Cookie its own line), then the body streamed with backpressure. Resolves when sent.
 *
 * @example
 * ```ts
 * await sendWebResponse(res, (await sso.handle(request)) ?? Response.json({ ok: true }));
 * ```
 */
export async function sendWebResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie') res.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await drainedOrClosed(res);
      if (res.destroyed) {
        await reader.cancel().catch(() => {});
        return;
      }
    }
  } catch (err) {
    res.destroy(err instanceof Error ? err : undefined);
    throw err;
  }
  res.end();
}

/** drainedOrClosed waits until the socket takes more data, or is gone (then nobody reads on). */
function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

/** streamOf reads a node:http request body as a web ReadableStream (pull-based: backpressure kept). */
function streamOf(req: IncomingMessage): ReadableStream<Uint8Array> {
  const chunks = req[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await chunks.next();
        if (done) controller.close();
        else controller.enqueue(typeof value === 'string' ? new TextEncoder().encode(value) : (value as Uint8Array));
      } catch (err) {
        // An aborted upload: the reader sees the failure (the SDK answers it as the caller's).
        controller.error(err);
      }
    },
    async cancel() {
      await chunks.return?.();
    },
  });
}
