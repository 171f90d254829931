import type { FastifyRequest } from 'fastify';

/** Header the CLI sets to the operator's name, recorded in audit events next to `admin`. */
export const ACTOR_HEADER = 'x-ssohub-actor';

/**
 * Who performed an admin action, for the audit trail: `admin` (the token holder), plus the name
 * the caller gave in `X-Ssohub-Actor` (the CLI sends the OS user), e.g. `admin:alice`.
 */
export function adminActor(request: FastifyRequest): string {
  const raw = request.headers[ACTOR_HEADER];
  const name = typeof raw === 'string' ? raw.trim() : '';
  return /^[\w.@+-]{1,64}$/.test(name) ? `admin:${name}` : 'admin';
}
