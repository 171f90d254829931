/**
 * Owns the account page's routes (issue #20): `GET /account` for a signed-in user, and the POST
 * actions that sign out another device, every other device, or remove an app's access. Devices
 * are the identity's Kratos sessions; ending one goes through the bridge (Bridge.endKratosSession)
 * so the apps it signed in to hear of it by back-channel, as an admin revocation would.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type Static, Type } from 'typebox';
import { renderPage } from '../http/render-page.ts';
import type { HubContext } from '../hub-context.ts';
import type { Session } from '../kratos/kratos-client.ts';
import { setNotice } from '../login/flow-notice.ts';
import { initFlowUrl } from '../login/recover-from-flow-error.ts';
import { type AccountCsrf, createAccountCsrf } from './account-csrf.ts';
import { setAccountNotice, takeAccountNotice } from './account-notice.ts';
import { accountPageTitle, type DeviceView, type NoticeView, renderAccountBody } from './render-account-page.ts';

/** Every action's form: the CSRF token; other fields are let through and ignored. */
const ActionForm = Type.Union([Type.Object({ csrf: Type.Optional(Type.String()) }), Type.Null()]);
/** Kratos session ids are UUIDs: anything else names no session and is not sent to Kratos. */
const SessionParams = Type.Object({ sessionId: Type.String({ format: 'uuid' }) });
const AppParams = Type.Object({ clientId: Type.String({ minLength: 1, maxLength: 255 }) });

/** Why the bridge ended what it ended (audit `reason`, back-channel job reason). */
const REASON = 'account_page';

export function registerAccountPage(app: FastifyInstance, ctx: HubContext): void {
  const secure = ctx.config.publicUrl.startsWith('https:');
  const csrf = createAccountCsrf({ cookieKeys: ctx.config.bridge.cookieKeys, publicUrl: ctx.config.publicUrl });
  const accountUrl = `${ctx.config.publicUrl}/account`;

  app.get('/account', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const { session, aal2Required } = await ctx.kratos.whoamiOrPending(request.headers.cookie);
    if (!session?.identity) {
      // Kratos would send an anonymous browser to /login without a way back; keep one (as /settings does).
      if (!aal2Required) setNotice(reply, 'session_required', { secure });
      return reply.redirect(initFlowUrl('login', { return_to: accountUrl, ...(aal2Required ? { aal: 'aal2' } : {}) }), 303);
    }
    const identityId = session.identity.id;
    const [sessions, apps] = await Promise.all([ctx.kratos.listIdentitySessions(identityId, { active: true }), ctx.bridge.listAccountApps(identityId)]);
    const notice = await noticeView(takeAccountNotice(request, reply), ctx);
    const email = (session.identity.traits as { email?: unknown } | undefined)?.email;
    const body = renderAccountBody({
      email: typeof email === 'string' ? email : undefined,
      csrf: csrf.tokenFor(session.id),
      devices: devicesOf(session, sessions),
      apps,
      notice,
    });
    return reply.type('text/html; charset=utf-8').send(renderPage({ title: accountPageTitle(), body }));
  });

  app.post<{ Params: Static<typeof SessionParams>; Body: Static<typeof ActionForm> }>(
    '/account/sessions/:sessionId/revoke',
    { schema: { params: SessionParams, body: ActionForm } },
    async (request, reply) => {
      const session = await signedIn(request, reply, ctx, csrf);
      if (!session) return reply;
      const identityId = session.identity!.id;
      const target = request.params.sessionId;
      const mine = target !== session.id && (await ctx.kratos.listIdentitySessions(identityId, { active: true })).some((s) => s.id === target);
      if (mine) {
        await ctx.bridge.endKratosSession(target, REASON);
        ctx.audit.record({ type: 'session.revoked', actor: identityId, subject: identityId, sessionId: target, reason: REASON, ip: request.ip, outcome: 'success' });
      }
      setAccountNotice(reply, { kind: mine ? 'device_signed_out' : 'device_not_found' }, { secure });
      return reply.redirect('/account', 303);
    },
  );

  app.post<{ Body: Static<typeof ActionForm> }>('/account/sessions/revoke-others', { schema: { body: ActionForm } }, async (request, reply) => {
    const session = await signedIn(request, reply, ctx, csrf);
    if (!session) return reply;
    const identityId = session.identity!.id;
    const others = (await ctx.kratos.listIdentitySessions(identityId, { active: true })).filter((s) => s.id !== session.id);
    for (const s of others) {
      await ctx.bridge.endKratosSession(s.id, REASON);
      ctx.audit.record({ type: 'session.revoked', actor: identityId, subject: identityId, sessionId: s.id, reason: REASON, ip: request.ip, outcome: 'success' });
    }
    setAccountNotice(reply, { kind: 'others_signed_out', count: others.length }, { secure });
    return reply.redirect('/account', 303);
  });

  app.post<{ Params: Static<typeof AppParams>; Body: Static<typeof ActionForm> }>(
    '/account/apps/:clientId/revoke',
    { schema: { params: AppParams, body: ActionForm } },
    async (request, reply) => {
      const session = await signedIn(request, reply, ctx, csrf);
      if (!session) return reply;
      const identityId = session.identity!.id;
      const { clientId } = request.params;
      const { providerSessions, grants } = await ctx.bridge.revokeAccountApp(identityId, clientId, REASON);
      ctx.audit.record({
        type: 'account.app_revoked',
        actor: identityId,
        subject: identityId,
        clientId,
        providerSessions,
        grants,
        ip: request.ip,
        outcome: grants > 0 || providerSessions > 0 ? 'success' : 'info',
      });
      setAccountNotice(reply, { kind: grants > 0 || providerSessions > 0 ? 'app_removed' : 'app_not_found', clientId }, { secure });
      return reply.redirect('/account', 303);
    },
  );
}

/**
 * The session behind an action, its CSRF token checked; undefined (the browser sent back to the
 * page, which asks it to sign in) when there is none: nothing to act on.
 */
async function signedIn(
  request: FastifyRequest<{ Body: Static<typeof ActionForm> }>,
  reply: FastifyReply,
  ctx: HubContext,
  csrf: AccountCsrf,
): Promise<Session | undefined> {
  reply.header('cache-control', 'no-store');
  const session = await ctx.kratos.whoami(request.headers.cookie).catch(() => undefined);
  if (!session?.identity) {
    reply.redirect('/account', 303);
    return undefined;
  }
  csrf.check(request, session.id, request.body?.csrf);
  return session;
}

/** The current session first, then the newest sign-in first. */
function devicesOf(current: Session, sessions: Session[]): DeviceView[] {
  const all = sessions.some((s) => s.id === current.id) ? sessions : [current, ...sessions];
  return all
    .map((s) => {
      const device = s.devices?.at(-1);
      return { id: s.id, current: s.id === current.id, userAgent: device?.user_agent, ip: device?.ip_address, signedInAt: s.authenticated_at };
    })
    .sort((a, b) => Number(b.current) - Number(a.current) || (b.signedInAt ?? '').localeCompare(a.signedInAt ?? ''));
}

async function noticeView(notice: ReturnType<typeof takeAccountNotice>, ctx: HubContext): Promise<NoticeView | undefined> {
  if (!notice) return undefined;
  if (notice.kind === 'app_removed' || notice.kind === 'app_not_found') {
    const registered = await ctx.clients.find(notice.clientId).catch(() => undefined);
    const name = registered?.metadata.client_name;
    return { kind: notice.kind, appName: typeof name === 'string' && name !== '' ? name : notice.clientId };
  }
  return notice;
}

/**
 * The account page as an encapsulated route plugin of the public listener: it reads and sets
 * cookies (the result notice) and takes form posts, behind the hub's request scope, error
 * handler and security headers.
 */
export const accountPagePlugin = fp(async (app: FastifyInstance, { ctx }: { ctx: HubContext }) => registerAccountPage(app, ctx), {
  name: 'ssohub-account-page',
  fastify: '5.x',
  encapsulate: true,
  dependencies: ['ssohub-hub-request', 'ssohub-error-handler', 'ssohub-security-headers', '@fastify/cookie', '@fastify/formbody'],
});

