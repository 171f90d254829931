import type { FastifyReply, FastifyRequest } from 'fastify';

/** Where the console lives on the admin listener. */
export const CONSOLE_PATH = '/console';

/**
 * The session cookie's name and attributes for this request. Over https (the admin listener
 * behind a TLS proxy it trusts, or a tunnel that terminates TLS) the cookie is `Secure` and takes
 * the `__Host-` prefix, which browsers accept only with Path=/ and no Domain: no other host or
 * path can then plant one. Over plain http (loopback, an SSH tunnel) it is scoped to /console.
 * HttpOnly and SameSite=Strict always: no script reads it, no other site's page sends it.
 */
export function sessionCookie(request: FastifyRequest) {
  const secure = request.protocol === 'https';
  return {
    name: secure ? '__Host-ssohub_console' : 'ssohub_console',
    options: { path: secure ? '/' : CONSOLE_PATH, httpOnly: true, sameSite: 'strict', secure } as const,
  };
}

export function readSessionCookie(request: FastifyRequest): string | undefined {
  return request.cookies[sessionCookie(request).name];
}

/** A session cookie: no Max-Age, so the browser forgets it when it closes; the server ends it sooner. */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, id: string): void {
  const { name, options } = sessionCookie(request);
  reply.setCookie(name, id, options);
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  const { name, options } = sessionCookie(request);
  reply.clearCookie(name, options);
}
