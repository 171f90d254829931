import type { FastifyInstance } from 'fastify';
import type { HubContext } from '../hub-context.ts';

/** The Kratos flow pages of the login domain. (Scaffold: filled in by the login-domain work.) */
export async function registerLoginPages(app: FastifyInstance, _ctx: HubContext): Promise<void> {
  app.get('/', async (_request, reply) => reply.redirect('/login', 303));
}
