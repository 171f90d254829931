/**
 * Owns what an administrator does to one user account (issue #27): find, show, disable, enable,
 * delete, reset the second factors, resend verification. Kratos is asked through KratosClient;
 * sessions and apps are ended through the bridge, so provider sessions end with their Kratos
 * session and every app that took part gets its back-channel logout. Each action records one
 * audit event (docs/events.md, `user.*`) naming the administrator, success or failure.
 */
import type { SessionBinding } from '../bridge/bridge.ts';
import { SsoHubError } from '../errors/ssohub-error.ts';
import { auditIdentifier } from '../guard/classify-submission.ts';
import type { HubContext } from '../hub-context.ts';
import type { Identity, Session } from '../kratos/kratos-client.ts';
import { isKratosOutage } from '../kratos/kratos-error.ts';

export type UserState = 'active' | 'inactive';

export interface UserSummary {
  id: string;
  email: string | undefined;
  state: UserState;
  verified: boolean;
  createdAt: string | undefined;
}

export interface UserSessionView {
  id: string;
  authenticatedAt?: string;
  expiresAt?: string;
  aal?: string;
  methods: string[];
  devices: { ip?: string; userAgent?: string; location?: string }[];
  clients: string[];
}

export interface UserDetail extends UserSummary {
  /** Credential types the identity has: password, code, totp, webauthn, passkey, lookup_secret, oidc... */
  methods: string[];
  /** Second factors set up: what reset-mfa removes. */
  secondFactors: ('totp' | 'lookup_secret' | 'webauthn')[];
  addresses: { value: string; verified: boolean }[];
  sessions: UserSessionView[];
  /** Apps (client ids + names) holding grants for this user. */
  apps: { clientId: string; name: string }[];
}

export interface UserActionResult {
  /** State after the action (for delete: as it was). */
  user: UserSummary;
  /** Kratos session ids ended. */
  endedSessions: string[];
  /** Client ids whose grants were revoked (back-channel queued). */
  revokedApps: string[];
  /** reset-mfa: credential types removed. */
  removed?: string[];
  /** verify-resend: the address the code/link went to. */
  sentTo?: string;
}

export interface UserAdmin {
  find(query: string, options?: { limit?: number }): Promise<UserSummary[]>;
  /** SsoHubError SSOHUB_ERR_NOT_FOUND (404) when none. */
  show(idOrEmail: string): Promise<UserDetail>;
  disable(idOrEmail: string, actor: string): Promise<UserActionResult>;
  enable(idOrEmail: string, actor: string): Promise<UserActionResult>;
  delete(idOrEmail: string, actor: string): Promise<UserActionResult>;
  resetMfa(idOrEmail: string, actor: string): Promise<UserActionResult>;
  resendVerification(idOrEmail: string, actor: string): Promise<UserActionResult>;
}

/** How many users `find` answers when not told, and the most it ever answers. */
export const FIND_DEFAULT_LIMIT = 20;
export const FIND_MAX_LIMIT = 100;
/** Longer than any email address (RFC 5321 caps a path at 256; the schema's trait at 320). */
export const MAX_QUERY_LENGTH = 320;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SECOND_FACTORS = ['totp', 'lookup_secret', 'webauthn'] as const;
type SecondFactor = (typeof SECOND_FACTORS)[number];

/** The `reason` the bridge gives back-channel deliveries and its own audit events. */
const REASONS = { disable: 'user_disabled', delete: 'user_deleted', resetMfa: 'mfa_reset' } as const;

export function createUserAdmin(ctx: HubContext): UserAdmin {
  /** The identity an admin named, with its security keys' public data; 404 when none. */
  async function resolve(idOrEmail: string): Promise<Identity> {
    const wanted = idOrEmail.trim();
    let id: string | undefined = UUID.test(wanted) ? wanted : undefined;
    if (!id && wanted !== '' && wanted.length <= MAX_QUERY_LENGTH) id = (await ctx.kratos.listIdentities({ identifier: wanted, limit: 1 }))[0]?.id;
    const identity = id ? await ctx.kratos.getIdentityWithSecurityKeys(id) : undefined;
    if (!identity) {
      throw new SsoHubError('SSOHUB_ERR_NOT_FOUND', `no user "${idOrEmail}": give the identity id (UUID) or the exact email it signs in with; search with ssohub users find`, {
        status: 404,
      });
    }
    return identity;
  }

  /** Runs an action and records its one audit event, a failure included (then rethrown). */
  async function audited(type: string, actor: string, idOrEmail: string, run: (subject: (id: string) => void) => Promise<UserActionResult>): Promise<UserActionResult> {
    let subject: string | undefined;
    try {
      const result = await run((id) => {
        subject = id;
      });
      ctx.audit.record({
        type,
        actor,
        subject: result.user.id,
        outcome: 'success',
        endedSessions: result.endedSessions.length,
        revokedApps: result.revokedApps,
        ...(result.removed ? { removed: result.removed } : {}),
        // An address is masked in the trail like every identifier (docs/events.md); the answer has it whole.
        ...(result.sentTo ? { sentTo: auditIdentifier(result.sentTo).subject } : {}),
      });
      return result;
    } catch (err) {
      const code = err instanceof SsoHubError ? err.code : isKratosOutage(err) ? 'SSOHUB_ERR_KRATOS_UNAVAILABLE' : 'SSOHUB_ERR_INTERNAL';
      // Unresolved (404), the user is named by what the admin typed: an address is masked, with its hash.
      const named = subject !== undefined ? { subject } : UUID.test(idOrEmail.trim()) ? { subject: idOrEmail.trim() } : auditIdentifier(idOrEmail);
      ctx.audit.record({ type, actor, ...named, outcome: 'failure', error: code });
      throw err;
    }
  }

  /**
   * Revokes every grant an app still holds for the identity (offline_access ones whose provider
   * session is gone included), with its tokens; an app with a live provider session also gets
   * its back-channel logout (the bridge's revokeAccountApp).
   */
  async function revokeEveryApp(identityId: string, reason: string): Promise<string[]> {
    const apps = await ctx.bridge.listAccountApps(identityId);
    for (const app of apps) await ctx.bridge.revokeAccountApp(identityId, app.clientId, reason);
    return apps.map((a) => a.clientId);
  }

  /**
   * Disable and delete share this. The order is what keeps a failure from leaving the user a way
   * in (every step is safe to run again, so an admin retries a failed action):
   * 1. the identity goes inactive first: from then on Kratos refuses its sign-in, answers 401 to
   *    `whoami` for each of its sessions (session.IsActive checks the identity) and reports them
   *    inactive to the admin lookup behind every refresh, userinfo and code exchange (decision
   *    0004): whatever the next steps leave behind can no longer be used;
   * 2. every Kratos session ends through the bridge: provider sessions end, their grants go, and
   *    every app that took part gets a back-channel logout (Kratos itself would keep the sessions
   *    of an inactive identity, only refusing them, and reactivating it would revive them);
   * 3. every grant still held (an offline_access refresh token outlives its provider session) is
   *    revoked with its tokens, so nothing issued before comes back after an enable.
   */
  async function shutOut(identity: Identity, reason: string): Promise<{ ended: string[]; revoked: string[] }> {
    if (identity.state !== 'inactive') {
      const updated = await ctx.kratos.setIdentityState(identity.id, 'inactive');
      if (!updated) throw gone(identity.id);
    }
    const before = (await ctx.bridge.listAccountApps(identity.id)).map((a) => a.clientId);
    const { ended, clients } = await endEverySession(ctx, identity.id, reason);
    const remaining = await revokeEveryApp(identity.id, reason);
    return { ended, revoked: [...new Set([...before, ...clients, ...remaining])].sort() };
  }

  return {
    async find(query, { limit = FIND_DEFAULT_LIMIT } = {}) {
      const wanted = query.trim();
      if (wanted === '' || wanted.length > MAX_QUERY_LENGTH) {
        throw new SsoHubError('SSOHUB_ERR_BAD_REQUEST', `query must be 1 to ${MAX_QUERY_LENGTH} characters: an identity id, an email or the start of one`, { status: 400 });
      }
      if (!Number.isInteger(limit) || limit < 1 || limit > FIND_MAX_LIMIT) {
        throw new SsoHubError('SSOHUB_ERR_BAD_REQUEST', `limit must be a whole number from 1 to ${FIND_MAX_LIMIT}`, { status: 400 });
      }
      if (UUID.test(wanted)) {
        const identity = await ctx.kratos.getIdentity(wanted);
        return identity ? [summaryOf(identity)] : [];
      }
      // Kratos orders matches by id: the exact match is asked for on its own so that a page of
      // addresses that merely start the same cannot push it out of the answer.
      const [exact, similar] = await Promise.all([
        ctx.kratos.listIdentities({ identifier: wanted, limit: 1 }),
        ctx.kratos.listIdentities({ identifierPrefix: wanted, limit }),
      ]);
      const seen = new Set<string>();
      const users: UserSummary[] = [];
      for (const identity of [...exact, ...similar]) {
        if (seen.has(identity.id)) continue;
        seen.add(identity.id);
        users.push(summaryOf(identity));
      }
      return users.slice(0, limit);
    },

    async show(idOrEmail) {
      const identity = await resolve(idOrEmail);
      const [sessions, bindings, apps] = await Promise.all([
        ctx.kratos.listIdentitySessions(identity.id, { active: true }),
        ctx.bridge.listBindings(identity.id),
        ctx.bridge.listAccountApps(identity.id),
      ]);
      return {
        ...summaryOf(identity),
        methods: methodsOf(identity),
        secondFactors: secondFactorsOf(identity),
        addresses: (identity.verifiable_addresses ?? []).map((a) => ({ value: a.value, verified: a.verified })),
        sessions: sessions.map((s) => sessionView(s, bindings)),
        apps: apps.map((a) => ({ clientId: a.clientId, name: a.name })),
      };
    },

    async disable(idOrEmail, actor) {
      return audited('user.disabled', actor, idOrEmail, async (subject) => {
        const identity = await resolve(idOrEmail);
        subject(identity.id);
        // Disabling a disabled user runs the rest again: the way to finish one that failed half-way.
        const { ended, revoked } = await shutOut(identity, REASONS.disable);
        return { user: { ...summaryOf(identity), state: 'inactive' }, endedSessions: ended, revokedApps: revoked };
      });
    },

    async enable(idOrEmail, actor) {
      return audited('user.enabled', actor, idOrEmail, async (subject) => {
        const identity = await resolve(idOrEmail);
        subject(identity.id);
        // Nothing comes back with it: disabling ended every session and grant, so the user signs in afresh.
        const updated = identity.state === 'active' ? identity : await ctx.kratos.setIdentityState(identity.id, 'active');
        if (!updated) throw gone(identity.id);
        return { user: summaryOf(updated), endedSessions: [], revokedApps: [] };
      });
    },

    async delete(idOrEmail, actor) {
      return audited('user.deleted', actor, idOrEmail, async (subject) => {
        const identity = await resolve(idOrEmail);
        subject(identity.id);
        const asItWas = summaryOf(identity);
        // Shut out first, deleted last: a failure on the way leaves a disabled user with nothing
        // live (a retry finishes), never a deleted identity whose provider sessions, grants or
        // apps' sessions the hub could no longer find by its Kratos sessions. Kratos deletes the
        // identity's sessions with it, but would not tell the apps.
        const { ended, revoked } = await shutOut(identity, REASONS.delete);
        await ctx.kratos.deleteIdentity(identity.id);
        return { user: asItWas, endedSessions: ended, revokedApps: revoked };
      });
    },

    async resetMfa(idOrEmail, actor) {
      return audited('user.mfa_reset', actor, idOrEmail, async (subject) => {
        const identity = await resolve(idOrEmail);
        subject(identity.id);
        const factors = secondFactorsOf(identity);
        if (factors.length === 0) {
          throw new SsoHubError('SSOHUB_ERR_CONFLICT', `${idOrEmail} has no second factor to reset (no authenticator app, backup codes or security key)`, { status: 409 });
        }
        // Factors first, sessions second. Once a factor is gone no new session can be raised with
        // it; ending every session afterwards also ends any raised in between. Every session ends,
        // aal1 ones too: with `required_aal: highest_available`, a password-only session that
        // still owed the removed factor would otherwise become a full session the moment the
        // identity has no second factor left (whoever knew only the password would be in), and an
        // aal2 session must not outlive the factor it was proven with. Passkeys stay: they are a
        // first factor (Kratos' `passkey` credential; Kratos also keeps webauthn keys registered
        // for passwordless sign-in), and removing a way in is not what resetting the second factor means.
        const removed: SecondFactor[] = [];
        for (const type of factors) if (await ctx.kratos.deleteSecondFactor(identity.id, type)) removed.push(type);
        const { ended, clients } = await endEverySession(ctx, identity.id, REASONS.resetMfa);
        const after = (await ctx.kratos.getIdentity(identity.id)) ?? identity;
        return { user: summaryOf(after), endedSessions: ended, revokedApps: [...new Set(clients)].sort(), removed };
      });
    },

    async resendVerification(idOrEmail, actor) {
      return audited('user.verification_resent', actor, idOrEmail, async (subject) => {
        const identity = await resolve(idOrEmail);
        subject(identity.id);
        const addresses = identity.verifiable_addresses ?? [];
        const email = emailOf(identity);
        // The sign-in address first (the verified-address policy is about it), then any other.
        const pending = [...addresses].sort((a, b) => Number(b.value === email) - Number(a.value === email)).find((a) => !a.verified);
        if (!pending) {
          const why = addresses.length === 0 ? 'has no address to verify' : 'has verified every address already';
          throw new SsoHubError('SSOHUB_ERR_CONFLICT', `${idOrEmail} ${why}: nothing to resend`, { status: 409 });
        }
        await ctx.kratos.sendVerificationCode(pending.value);
        return { user: summaryOf(identity), endedSessions: [], revokedApps: [], sentTo: pending.value };
      });
    },
  };
}

/**
 * Ends every Kratos session of the identity through the bridge: each provider session bound to
 * it ends (its grants revoked, a back-channel logout queued for every client that took part),
 * then the Kratos session itself. The hub's bindings are read as well as Kratos' list, so a
 * Kratos session Kratos no longer lists as active but the hub still binds is ended too.
 * `onEnded` hears of each as it ends. Returns the Kratos sessions ended and the clients that
 * took part in them.
 */
export async function endEverySession(
  ctx: HubContext,
  identityId: string,
  reason: string,
  onEnded?: (kratosSessionId: string) => void,
): Promise<{ ended: string[]; clients: string[] }> {
  const [sessions, bindings] = await Promise.all([ctx.kratos.listIdentitySessions(identityId, { active: true }), ctx.bridge.listBindings(identityId)]);
  const ids = [...new Set([...sessions.map((s) => s.id), ...bindings.map((b) => b.kratosSessionId)])];
  for (const id of ids) {
    await ctx.bridge.endKratosSession(id, reason);
    onEnded?.(id);
  }
  return { ended: ids, clients: bindings.flatMap((b) => b.clients.map((c) => c.clientId)) };
}

/**
 * "End all sessions" of a user for an admin (the console's sessions page): every session, by the
 * path disable, delete and reset-mfa take (endEverySession, so the hub's own bindings count, not
 * only what Kratos lists as active), each recorded as `session.revoked` with the admin's actor and
 * IP as it ends, like ending one (end-user-session.ts).
 */
export async function endAllUserSessions(ctx: HubContext, o: { identityId: string; actor: string; ip: string }): Promise<{ ended: string[]; clients: string[] }> {
  return endEverySession(ctx, o.identityId, 'admin', (sessionId) =>
    ctx.audit.record({ type: 'session.revoked', actor: o.actor, subject: o.identityId, sessionId, reason: 'admin', ip: o.ip, outcome: 'success' }),
  );
}

function gone(id: string): SsoHubError {
  return new SsoHubError('SSOHUB_ERR_NOT_FOUND', `user ${id} was deleted meanwhile`, { status: 404 });
}

function emailOf(identity: Identity): string | undefined {
  const email = (identity.traits as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' ? email : undefined;
}

/** What every answer says of a user. `verified`: its sign-in address (the email trait) is. */
export function summaryOf(identity: Identity): UserSummary {
  const email = emailOf(identity);
  const addresses = identity.verifiable_addresses ?? [];
  const own = addresses.find((a) => email !== undefined && a.value.toLowerCase() === email.toLowerCase());
  return {
    id: identity.id,
    email,
    state: identity.state === 'inactive' ? 'inactive' : 'active',
    verified: own?.verified ?? false,
    createdAt: identity.created_at,
  };
}

type WebAuthnConfig = { credentials?: { is_passwordless?: boolean }[] };

/** The security keys registered as a second factor (Kratos' `webauthn` credential holds both kinds). */
function securityKeysOf(identity: Identity): number {
  const config = identity.credentials?.webauthn?.config as WebAuthnConfig | undefined;
  return (config?.credentials ?? []).filter((c) => c.is_passwordless !== true).length;
}

/**
 * The credential types a user can sign in with. Kratos keeps an empty `webauthn` credential for
 * every identity with an address (the schema makes the email its identifier): it counts only
 * with a key in it, as read with include_credential=webauthn.
 */
export function methodsOf(identity: Identity): string[] {
  const out: string[] = [];
  for (const type of Object.keys(identity.credentials ?? {}).sort()) {
    if (type === 'webauthn') {
      const config = identity.credentials?.webauthn?.config as WebAuthnConfig | undefined;
      if ((config?.credentials ?? []).length === 0) continue;
    }
    out.push(type);
  }
  return out;
}

/** What reset-mfa removes: an authenticator app, backup codes, security keys used as a second factor. */
export function secondFactorsOf(identity: Identity): SecondFactor[] {
  const creds = identity.credentials ?? {};
  return SECOND_FACTORS.filter((type) => (type === 'webauthn' ? securityKeysOf(identity) > 0 : creds[type] !== undefined));
}

function sessionView(s: Session, bindings: SessionBinding[]): UserSessionView {
  const bound = bindings.filter((b) => b.kratosSessionId === s.id);
  return {
    id: s.id,
    ...(s.authenticated_at ? { authenticatedAt: s.authenticated_at } : {}),
    ...(s.expires_at ? { expiresAt: s.expires_at } : {}),
    ...(s.authenticator_assurance_level ? { aal: s.authenticator_assurance_level } : {}),
    methods: (s.authentication_methods ?? []).map((m) => m.method).filter((m): m is NonNullable<typeof m> => m !== undefined),
    devices: (s.devices ?? []).map((d) => ({
      ...(d.ip_address ? { ip: d.ip_address } : {}),
      ...(d.user_agent ? { userAgent: d.user_agent } : {}),
      ...(d.location ? { location: d.location } : {}),
    })),
    clients: [...new Set(bound.flatMap((b) => b.clients.map((c) => c.clientId)))].sort(),
  };
}
