import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { HubContext } from '../hub-context.ts';
import { registerFlowErrorPage } from './register-flow-error-page.ts';
import { registerFlowPages } from './register-flow-pages.ts';
import { registerLandingPage } from './register-landing-page.ts';
import { registerLogout } from './register-logout.ts';

/**
 * The pages of the central login domain: Kratos' flow pages (its ui_urls), its error page, sign
 * out and the landing page. Submissions never come here: forms post to Kratos through the
 * same-origin proxy (`/self-service/*`), which answers with a redirect back to these pages.
 */
export async function registerLoginPages(app: FastifyInstance, ctx: HubContext): Promise<void> {
  registerLandingPage(app, ctx);
  registerFlowPages(app, ctx);
  registerFlowErrorPage(app, ctx);
  registerLogout(app, ctx);
}

/**
 * The login pages as an encapsulated route plugin of the public listener. Besides the hub's
 * per-request scope, error handler and security headers, they read and set cookies (the notice
 * cookie: @fastify/cookie) and take the sign-out form (@fastify/formbody).
 */
export const loginPagesPlugin = fp(async (app: FastifyInstance, { ctx }: { ctx: HubContext }) => registerLoginPages(app, ctx), {
  name: 'ssohub-login-pages',
  fastify: '5.x',
  encapsulate: true,
  dependencies: ['ssohub-hub-request', 'ssohub-error-handler', 'ssohub-security-headers', '@fastify/cookie', '@fastify/formbody'],
});
