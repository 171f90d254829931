import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type ErrorFormat, errorFormatOf } from '../errors/error-format.ts';
import { logFailure } from '../errors/log-failure.ts';
import { presentError } from '../errors/present-error.ts';
import { errorBody } from '../errors/register-error-handler.ts';
import { SsoHubError } from '../errors/ssohub-error.ts';
import { text } from '../i18n/translate.ts';

/**
 * Owns the hub's answer to what Node's HTTP parser refuses before (or while) Fastify handles a
 * request: a request line or header Node cannot parse, headers too large, a body cut short by a
 * half-close, a request that took longer than REQUEST_TIMEOUT_MS to arrive (http/request-timeout.ts).
 * Fastify's default answer is its own JSON (`"Client Error"`) with no request id and a trace-level
 * log line; this one is the hub's (presentError, its page or JSON, a reference, one log line).
 *
 * Node raises these on the connection, not on a request. When the connection is carrying a request
 * whose body Fastify is still reading, the refusal is that read's failure: the request goes down
 * the hub's error path like any other (its id, its route's format and hooks, one log line), and
 * its answer closes the connection. Otherwise (no request yet, or one whose body another reader
 * has, the provider's) the answer is written here: the request's id if there is one, else a fresh
 * one, in the listener's format (the error page on the public listener, JSON on the admin one).
 */
export interface ClientErrorAnswers {
  /** For Fastify's `clientErrorHandler` option (called with the Fastify instance as `this`). */
  handle(this: FastifyInstance, err: Error & { code?: string }, socket: Socket): void;
  /** Filled by clientErrorsPlugin: the request each connection is carrying. */
  readonly carrying: WeakMap<Socket, { request: FastifyRequest; reply: FastifyReply }>;
}

export function createClientErrorAnswers({ format, headers = {} }: { format: ErrorFormat; headers?: Record<string, string> }): ClientErrorAnswers {
  const carrying = new WeakMap<Socket, { request: FastifyRequest; reply: FastifyReply }>();
  const refused = new WeakSet<FastifyRequest>();
  return {
    carrying,
    handle(err, socket) {
      // A reset, or a socket already gone: nothing can be answered (as Fastify's default).
      if (err.code === 'ECONNRESET' || socket.destroyed) return;
      const entry = carrying.get(socket);
      // The entry of a request that arrived whole and was answered is over: the error is the next one's.
      const current = entry && !(entry.request.raw.complete && entry.reply.raw.writableEnded) ? entry : undefined;
      if (current && refused.has(current.request)) {
        // Its refusal is on its way (Node checks again before it is out); once out, close.
        if (current.reply.raw.headersSent) socket.destroy();
        return;
      }
      // Fastify is reading the body (still arriving, on a route that has not hijacked its reply,
      // Fastify's body reader being its 'error' listener): fail that read with the refusal, and
      // the request's own error path answers it.
      if (current && !current.reply.sent && !current.request.raw.complete && current.request.raw.listenerCount('error') > 0) {
        refused.add(current.request);
        current.reply.raw.shouldKeepAlive = false;
        current.request.raw.emit('error', refusalOf(err));
        return;
      }
      // An answer already begun on this connection would be corrupted by another one (as Node's default).
      if (!socket.writable || current?.reply.raw.headersSent) {
        socket.destroy();
        return;
      }
      const id = current?.request.id ?? randomUUID();
      const log = current?.request.log ?? this.log.child({ reqId: id });
      const shown = presentError(refusalOf(err), id);
      logFailure(log, err, shown);
      const body = errorBody(shown, id, current ? errorFormatOf(current.request) : format);
      const payload = typeof body.payload === 'string' ? body.payload : JSON.stringify(body.payload);
      const head = {
        ...(body.type.startsWith('text/html') ? headers : {}),
        ...shown.headers,
        'content-type': body.type,
        'content-length': String(Buffer.byteLength(payload)),
        'cache-control': 'no-store',
        connection: 'close',
      };
      const lines = Object.entries(head).map(([name, value]) => `${name}: ${value}\r\n`);
      socket.write(`HTTP/1.1 ${shown.status} ${STATUS_CODES[shown.status]}\r\n${lines.join('')}\r\n${payload}`);
      socket.destroy();
    },
  };
}

/** What the hub says for each of Node's client errors (presentError shows an exposed SsoHubError as it is). */
function refusalOf(err: Error & { code?: string }): SsoHubError {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return new SsoHubError('SSOHUB_ERR_BAD_REQUEST', text('errors.request_timeout'), { status: 408, cause: err });
  }
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    return new SsoHubError('SSOHUB_ERR_BAD_REQUEST', text('errors.headers_too_large'), { status: 431, cause: err });
  }
  return new SsoHubError('SSOHUB_ERR_BAD_REQUEST', text('errors.malformed'), { status: 400, cause: err });
}

/**
 * Records the request each connection is carrying, for the answers above. An onRequest hook of the
 * listener itself (fastify-plugin), after the hub request's, which stays the first.
 */
export const clientErrorsPlugin = fp(
  async (app: FastifyInstance, { answers }: { answers: ClientErrorAnswers }) => {
    app.addHook('onRequest', (request, reply, done) => {
      const socket = request.raw.socket;
      if (socket) answers.carrying.set(socket, { request, reply });
      done();
    });
  },
  { name: 'ssohub-client-errors', fastify: '5.x', dependencies: ['ssohub-hub-request'] },
);
