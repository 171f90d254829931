import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import type { SessionBinding } from '../bridge/bridge.ts';
import { SsoHubError } from '../errors/ssohub-error.ts';
import type { HubContext } from '../hub-context.ts';
import type { Identity, Session } from '../kratos/kratos-client.ts';
import { endUserSession } from '../users/end-user-session.ts';
import { endAllUserSessions } from '../users/user-admin.ts';
import { adminActor } from './admin-actor.ts';
import { NoBody } from './admin-schemas.ts';

/** An identity id (UUID) or a credentials identifier: findIdentity tells them apart. */
const UserParams = Type.Object({ idOrEmail: Type.String({ minLength: 1 }) });
/** Kratos session ids are UUIDs: anything else names no session, and is not sent to Kratos. */
const SessionParams = Type.Object({ idOrEmail: Type.String({ minLength: 1 }), sessionId: Type.String({ format: 'uuid' }) });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * /admin/identities/:idOrEmail/sessions: a user's Kratos sessions, the provider sessions bound to
 * each and the clients each reached; DELETE revokes one or all through the bridge, so back-channel
 * logout reaches every client that took part.
 */
export function registerSessionRoutes(admin: FastifyInstance, ctx: HubContext): void {
  admin.get<{ Params: Static<typeof UserParams> }>('/admin/identities/:idOrEmail/sessions', { schema: { params: UserParams } }, async (request) => {
    const identity = await findIdentity(ctx, request.params.idOrEmail);
    const [sessions, bindings] = await Promise.all([
      ctx.kratos.listIdentitySessions(identity.id, { active: true }),
      ctx.bridge.listBindings(identity.id),
    ]);
    return { identity: identityView(identity), sessions: sessions.map((s) => sessionView(s, bindings)) };
  });

  admin.delete<{ Params: Static<typeof UserParams> }>('/admin/identities/:idOrEmail/sessions', { schema: { params: UserParams, body: NoBody } }, async (request) => {
    const identity = await findIdentity(ctx, request.params.idOrEmail);
    // The same path as disabling a user: the hub's own bindings as well as Kratos' active list.
    const { ended } = await endAllUserSessions(ctx, { identityId: identity.id, actor: adminActor(request), ip: request.ip });
    return { identity: identityView(identity), revoked: ended };
  });

  admin.delete<{ Params: Static<typeof SessionParams> }>('/admin/identities/:idOrEmail/sessions/:sessionId', { schema: { params: SessionParams, body: NoBody } }, async (request) => {
    const identity = await findIdentity(ctx, request.params.idOrEmail);
    const session = await ctx.kratos.getSession(request.params.sessionId);
    if (!session || session.identity?.id !== identity.id) {
      throw new SsoHubError('SSOHUB_ERR_NOT_FOUND', `${request.params.idOrEmail} has no session ${request.params.sessionId}; list them with ssohub sessions list ${request.params.idOrEmail}`, { status: 404 });
    }
    await endUserSession(ctx, { identityId: identity.id, sessionId: session.id, actor: adminActor(request), ip: request.ip });
    return { identity: identityView(identity), revoked: [session.id] };
  });
}

/** Finds an identity by id (UUID) or by a credentials identifier such as an email address. */
async function findIdentity(ctx: HubContext, idOrEmail: string): Promise<Identity> {
  const identity = UUID.test(idOrEmail) ? await ctx.kratos.getIdentity(idOrEmail) : await ctx.kratos.findIdentityByIdentifier(idOrEmail);
  if (!identity) {
    throw new SsoHubError('SSOHUB_ERR_NOT_FOUND', `no identity "${idOrEmail}": give the identity id (UUID) or the exact email it signs in with`, { status: 404 });
  }
  return identity;
}

function identityView(identity: Identity) {
  const traits = (identity.traits ?? {}) as { email?: unknown };
  return { id: identity.id, email: typeof traits.email === 'string' ? traits.email : undefined, state: identity.state };
}

function sessionView(s: Session, bindings: SessionBinding[]) {
  const bound = bindings.filter((b) => b.kratosSessionId === s.id);
  return {
    id: s.id,
    active: s.active ?? false,
    authenticatedAt: s.authenticated_at,
    expiresAt: s.expires_at,
    aal: s.authenticator_assurance_level,
    methods: (s.authentication_methods ?? []).map((m) => m.method),
    devices: (s.devices ?? []).map((d) => ({ ip: d.ip_address, userAgent: d.user_agent, location: d.location })),
    providerSessions: bound.map((b) => ({
      uid: b.providerSessionUid,
      authTime: b.authTime === undefined ? undefined : new Date(b.authTime * 1000).toISOString(),
      clients: b.clients.map((c) => ({ clientId: c.clientId, sid: c.sid })),
    })),
    clients: [...new Set(bound.flatMap((b) => b.clients.map((c) => c.clientId)))].sort(),
  };
}
