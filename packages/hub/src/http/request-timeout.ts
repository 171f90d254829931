/**
 * How long a request may take to arrive, on both listeners: Node's `server.requestTimeout`, from
 * its first byte until the last byte of its body. Fastify turns Node's default (300 s) off, so a
 * client that sent its headers and stopped sending the body held its connection, and the route's
 * body reader, for ever. Past this, Node reports the request as a client error; the hub answers
 * 408 in its own format (http/client-errors.ts) and closes the connection.
 *
 * It bounds receiving only: once the request is whole, its answer may take as long as it needs
 * (a slow Kratos behind the proxy, a sign-in held by the guard's time floor). Bodies are at most
 * 64 KiB, which any client that is still sending delivers in a few seconds. It is longer than
 * the provider's own body deadline (bridge/provider/bound-request-body.ts, 10 s after the
 * headers), so the provider's routes keep answering a stalled body the OAuth way first.
 *
 * Node applies a request deadline shorter than `headersTimeout` (default 60 s) only once the
 * headers deadline has passed too, so both are set to this; Fastify's own `requestTimeout` option
 * alone, assigned after the server exists, would leave it at 60 s. Node checks the deadlines every
 * CONNECTIONS_CHECK_INTERVAL_MS (its default is 30 s, which would nearly double the bound); a
 * check walks only the connections whose request is still arriving.
 */
export const REQUEST_TIMEOUT_MS = 30_000;
export const CONNECTIONS_CHECK_INTERVAL_MS = 2_000;

/** The Node server options that carry the bound (Fastify's `http`, or its `https` with TLS). */
export const REQUEST_TIMEOUT_SERVER_OPTIONS = {
  requestTimeout: REQUEST_TIMEOUT_MS,
  headersTimeout: REQUEST_TIMEOUT_MS,
  connectionsCheckingInterval: CONNECTIONS_CHECK_INTERVAL_MS,
} as const;
