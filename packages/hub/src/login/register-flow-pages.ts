import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { renderPage } from '../http/render-page.ts';
import type { HubContext } from '../hub-context.ts';
import type { AnyFlow, FlowKind } from '../kratos/kratos-client.ts';
import { checkReturnTo, keepReturnTo } from './check-return-to.ts';
import { setNotice, takeNotice } from './flow-notice.ts';
import { initFlowUrl, recoverFromFlowError } from './recover-from-flow-error.ts';
import { renderFlowBody, headingFor } from './render-flow-page.ts';

export const FLOW_KINDS: readonly FlowKind[] = ['login', 'registration', 'recovery', 'verification', 'settings'];

type FlowQuery = { flow?: string; return_to?: string; refresh?: string; aal?: string };

/**
 * One page per Kratos browser flow (`/login`, `/registration`, `/recovery`, `/verification`,
 * `/settings`, Kratos' ui_urls). Without `?flow=` it starts one through Kratos' browser endpoint;
 * with it, it fetches the flow with the browser's cookies and renders its nodes.
 */
export function registerFlowPages(app: FastifyInstance, ctx: HubContext): void {
  for (const kind of FLOW_KINDS) {
    app.get(`/${kind}`, async (request, reply) => showFlow(kind, request, reply, ctx));
  }
}

async function showFlow(kind: FlowKind, request: FastifyRequest, reply: FastifyReply, ctx: HubContext) {
  const query = request.query as FlowQuery;
  const cookie = request.headers.cookie;
  if (!query.flow) return startFlow(kind, query, request, reply, ctx);
  // The return_to of the page URL only matters when the flow has to be restarted.
  const pageReturnTo = keepReturnTo(query.return_to, ctx.config);
  let flow: AnyFlow;
  try {
    flow = await ctx.kratos.getFlow(kind, query.flow, cookie);
  } catch (err) {
    return recoverFromFlowError(err, { kind, request, reply, ctx, returnTo: pageReturnTo });
  }
  const returnTo = keepReturnTo((flow as { return_to?: string }).return_to, ctx.config);
  const signedIn = kind === 'settings' || (kind === 'verification' ? (await ctx.kratos.whoami(cookie).catch(() => undefined)) !== undefined : false);
  const destination = returnTo && new URL(returnTo).origin !== new URL(ctx.config.publicUrl).origin ? new URL(returnTo).host : undefined;
  const body = renderFlowBody(kind, flow, {
    hubOrigin: ctx.config.publicUrl,
    linkOrigins: ctx.config.allowedReturnOrigins,
    notice: takeNotice(request, reply),
    links: { returnTo, signedIn },
    destination,
  });
  return reply
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(renderPage({ title: headingFor(kind, flow as { state?: string }).title, body }));
}

async function startFlow(kind: FlowKind, query: FlowQuery, request: FastifyRequest, reply: FastifyReply, ctx: HubContext) {
  // Refused before Kratos sees it, so the user gets our explanation rather than Kratos' error page.
  const returnTo = checkReturnTo(query.return_to, ctx.config);
  // A session still owing its second factor goes on to Kratos, which sends it through aal2 first.
  if (kind === 'settings' && !(await ctx.kratos.whoamiOrPending(request.headers.cookie).then((w) => w.session || w.aal2Required))) {
    // Kratos would send an anonymous browser to /login without a way back; keep one.
    const back = `${ctx.config.publicUrl}/settings${returnTo ? `?return_to=${encodeURIComponent(returnTo)}` : ''}`;
    setNotice(reply, 'session_required', { secure: ctx.config.publicUrl.startsWith('https:') });
    return reply.header('cache-control', 'no-store').redirect(initFlowUrl('login', { return_to: back }), 303);
  }
  const params: Record<string, string | undefined> = { return_to: returnTo };
  if (kind === 'login') {
    if (query.refresh === 'true') params.refresh = 'true';
    if (query.aal === 'aal1' || query.aal === 'aal2') params.aal = query.aal;
  }
  request.log.debug({ kind }, 'starting flow');
  return reply.header('cache-control', 'no-store').redirect(initFlowUrl(kind, params), 303);
}
