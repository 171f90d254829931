import type { FastifyInstance } from 'fastify';
import type { HubContext } from '../hub-context.ts';
import type { ConsoleSessions } from './console-sessions.ts';

/** What every group of console pages is given when it registers its routes. */
export interface ConsoleDeps {
  ctx: HubContext;
  sessions: ConsoleSessions;
}

/**
 * A group of console pages: registers its routes on the console's encapsulated instance, whose
 * prefix is /console (so `console.get('/users', …)` answers /console/users). Every route there is
 * a console route: it needs a live console session (GET without one goes to the sign-in page, any
 * other method is refused) and every POST is CSRF-checked before its handler runs.
 */
export type RegisterConsolePages = (console: FastifyInstance, deps: ConsoleDeps) => void;
