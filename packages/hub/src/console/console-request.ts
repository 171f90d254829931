import type { FastifyRequest } from 'fastify';
import { SsoHubError } from '../errors/ssohub-error.ts';
import type { ConsoleSession } from './console-sessions.ts';

const sessions = new WeakMap<FastifyRequest, ConsoleSession>();

/** Set by the console's session hook (register-console.ts) once the request's session is known. */
export function attachConsoleSession(request: FastifyRequest, session: ConsoleSession): void {
  sessions.set(request, session);
}

/** The request's console session, or undefined (the open routes: sign-in, assets). */
export function findConsoleSession(request: FastifyRequest): ConsoleSession | undefined {
  return sessions.get(request);
}

/** The request's console session; every route that is not open has one (the hook refused the rest). */
export function consoleSession(request: FastifyRequest): ConsoleSession {
  const session = sessions.get(request);
  if (!session) throw new SsoHubError('SSOHUB_ERR_INTERNAL', 'a console page ran without a console session: is its route marked open by mistake?', { status: 500 });
  return session;
}

/** The audit actor of the admin behind this request: `console:<name>`. */
export function consoleActor(request: FastifyRequest): string {
  return `console:${consoleSession(request).name}`;
}

/** What an admin may call themselves at sign-in: the same names the admin API's X-Ssohub-Actor takes (admin-actor.ts). */
export const ADMIN_NAME_PATTERN = /^[\w.@+-]{1,64}$/;
