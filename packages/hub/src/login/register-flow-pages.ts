import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { renderPage } from '../http/render-page.ts';
import { allowClientImage } from '../http/security-headers.ts';
import { INTERACTION_PATH } from '../bridge/provider/create-provider.ts';
import type { HubContext } from '../hub-context.ts';
import type { AnyFlow, FlowKind } from '../kratos/kratos-client.ts';
import { checkReturnTo, keepReturnTo } from './check-return-to.ts';
import { unverifiedEmail } from '../bridge/interactions/unverified-email.ts';
import { clientOfReturnTo, interactionUidOf } from './client-of-return-to.ts';
import { setNotice, takeNotice } from './flow-notice.ts';
import { initFlowUrl, recoverFromFlowError } from './recover-from-flow-error.ts';
import { type FlowPageLinks, headingFor, renderFlowBody } from './render-flow-page.ts';
import { providerLogosFor } from '../upstream/provider-logos.ts';

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
  // Verified for an app's sign-in that waits (decision 0016): straight back to it, rather than a
  // page whose one useful link is Kratos' "continue" to the same place.
  if (kind === 'verification' && (flow as { state?: string }).state === 'passed_challenge' && returnTo && interactionUidOf(returnTo, ctx.config.publicUrl)) {
    return reply.header('cache-control', 'no-store').redirect(returnTo, 303);
  }
  const session = kind === 'verification' ? await ctx.kratos.whoami(cookie).catch(() => undefined) : undefined;
  const signedIn = kind === 'settings' || session !== undefined;
  const cancelSignIn = kind === 'verification' ? cancelOfInteraction(returnTo, ctx.config.publicUrl) : undefined;
  // The sign-in waits for this user's address: offer it, so the user only presses the button.
  if (cancelSignIn && session?.identity) prefillEmail(flow, unverifiedEmail(session.identity, { required: true, claims: ctx.config.bridge.claims }));
  const destination = returnTo && new URL(returnTo).origin !== new URL(ctx.config.publicUrl).origin ? new URL(returnTo).host : undefined;
  const settings = kind === 'settings' ? await settingsLinks(flow, returnTo ?? pageReturnTo, cookie, ctx) : {};
  // A flow started by an app's authorization request returns to the hub's interaction page: name
  // that app (issue #20).
  const client =
    kind === 'login' || kind === 'registration'
      ? await clientOfReturnTo(returnTo, {
          publicUrl: ctx.config.publicUrl,
          bridge: ctx.bridge,
          onError: (err) => request.log.warn({ err }, 'could not look up the client of the sign-in; page shown without its name'),
        })
      : undefined;
  const body = renderFlowBody(kind, flow, {
    hubOrigin: ctx.config.publicUrl,
    linkOrigins: ctx.config.allowedReturnOrigins,
    notice: takeNotice(request, reply),
    links: { returnTo, signedIn, ...settings, cancelSignIn },
    destination,
    client,
    clientLogoSrc: allowClientImage(reply, client?.logoUri),
    providerLogos: providerLogosFor(flow, ctx.config.upstreamLogos, reply),
  });
  return reply
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(renderPage({ title: headingFor(kind, flow as { state?: string }).title, body }));
}

/**
 * A verification flow that returns to an app's sign-in waiting at the hub (the address policy of
 * bridge/interactions sent the user here) offers to give that sign-in up: the interaction's
 * cancel URL, else undefined.
 */
export function cancelOfInteraction(returnTo: string | undefined, publicUrl: string): string | undefined {
  const uid = interactionUidOf(returnTo, publicUrl);
  return uid ? `${new URL(publicUrl).origin}${INTERACTION_PATH}/${uid}/cancel` : undefined;
}

/**
 * Fills the address field of a verification flow still asking for one (Kratos v1.3.1 cannot
 * pre-fill it itself); the user can still change it.
 */
export function prefillEmail(flow: AnyFlow, address: string | undefined): void {
  if (!address) return;
  const nodes = (flow as { ui?: { nodes?: { attributes?: { name?: string; type?: string; value?: unknown } }[] } }).ui?.nodes ?? [];
  const field = nodes.find((n) => n.attributes?.name === 'email' && n.attributes.type === 'email');
  if (field?.attributes && (field.attributes.value === undefined || field.attributes.value === '')) field.attributes.value = address;
}

type VerifiableAddress = { verified?: boolean };
type WithIdentity = { identity?: { verifiable_addresses?: VerifiableAddress[] } };

/**
 * What the settings page adds to its links (issue #20): a way back to the app that sent the user
 * here (the flow's return_to, else the page's, both already allow-listed; Kratos keeps it on the
 * flow, so the link is still there after saving), and the verification prompt only while an
 * address of the identity is unverified. The identity comes with the settings flow; the session's
 * is asked for only when the flow lacks it.
 */
async function settingsLinks(flow: AnyFlow, returnTo: string | undefined, cookie: string | undefined, ctx: HubContext): Promise<Pick<FlowPageLinks, 'back' | 'unverified'>> {
  const identity = (flow as WithIdentity).identity ?? ((await ctx.kratos.whoami(cookie).catch(() => undefined)) as WithIdentity | undefined)?.identity;
  const unverified = (identity?.verifiable_addresses ?? []).some((a) => a.verified !== true);
  const hub = new URL(ctx.config.publicUrl).origin;
  if (!returnTo || new URL(returnTo).origin === hub) return { unverified };
  return { unverified, back: { href: returnTo, app: await appNameFor(new URL(returnTo).origin, ctx) } };
}

/** The registered name of the client app at an origin, else the origin's host. */
async function appNameFor(origin: string, ctx: HubContext): Promise<string> {
  const originOf = (u: string) => {
    try {
      return new URL(u).origin;
    } catch {
      return undefined;
    }
  };
  const clients = await ctx.clients.list().catch(() => []);
  const named = clients.find((c) => c.metadata.client_name && c.metadata.redirect_uris.some((u) => originOf(u) === origin));
  return named?.metadata.client_name ?? new URL(origin).host;
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
