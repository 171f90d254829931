import type { FastifyInstance } from 'fastify';
import type { HubContext } from '../hub-context.ts';

/** The admin API on its own listener. (Scaffold: filled in by the admin work.) */
export async function registerAdminApi(_admin: FastifyInstance, _ctx: HubContext): Promise<void> {}
