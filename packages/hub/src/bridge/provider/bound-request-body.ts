/**
 * Owns the deadline for the body of a request the provider reads itself (mount-provider.ts hands
 * it the raw request, body unread).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** How long a request body may take to arrive once its headers have, unless told otherwise. */
export const BODY_DEADLINE_MS = 10_000;

/**
 * boundRequestBody gives up on a request body that has not all arrived `deadlineMs` after its
 * headers, so a client that stops sending (without closing) gets an answer instead of holding its
 * connection, and the provider's body reader, for ever. The listener's own bound
 * (http/request-timeout.ts, 30 s for any request) ends it too, but later and with a 408 from
 * outside the provider: here the provider answers its own 400 within 10 s. (A client that
 * half-closes mid-body needs nothing here: Node reports the cut-short message as a client error
 * and Fastify answers 400 and closes.)
 *
 * Only the wait for the body is bounded, and only on the routes that call this, so a request
 * whose body has arrived may take as long as it needs.
 * The provider reads at most 56 KiB, which even a slow client sends in well under 10 s.
 *
 * A body with a Content-Length is ended where it stopped: its reader sees fewer bytes than
 * announced and refuses the request (the provider: 400 invalid_request, through its own error
 * path and events), and the answer closes the connection, so the unread rest of the body is never
 * parsed as a next request. A chunked body cut short would look complete to its reader, so that
 * request is destroyed instead: the connection closes without an answer.
 *
 * @example
 * ```ts
 * boundRequestBody(request.raw, reply.raw, BODY_DEADLINE_MS);
 * void callback(request.raw, reply.raw);
 * ```
 */
export function boundRequestBody(req: IncomingMessage, res: ServerResponse, deadlineMs: number): void {
  if (req.complete) return;
  const timer = setTimeout(() => {
    if (req.complete || req.destroyed) return;
    res.shouldKeepAlive = false;
    if (req.headers['content-length'] === undefined) {
      req.destroy();
      return;
    }
    // Marked complete before it ends: Node destroys an incomplete message once it has ended, and
    // the socket with it, which would leave no connection to answer on.
    req.complete = true;
    req.push(null);
  }, deadlineMs);
  timer.unref();
  const stop = () => clearTimeout(timer);
  req.once('end', stop);
  res.once('close', stop);
}
