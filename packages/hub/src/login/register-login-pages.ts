import type { FastifyInstance } from 'fastify';
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
