/**
 * Owns every provider event the hub cares about, in one place (logto's events.ts): protocol
 * failures and successes become audit events (codes, tokens and secrets never do). Server errors
 * are answered and logged where the provider is mounted (mount-provider.ts).
 */
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from 'pino';
import type { AuditLog } from '../../audit/audit-log.ts';
import type { HubMetrics } from '../../metrics/hub-metrics.ts';

type OidcError = Error & { error?: string; error_description?: string; status?: number };

/**
 * browserActor names who acts at a browser endpoint (authorization, end_session): the signed-in
 * user, or the IP of a browser without a provider session (docs/events.md, `actor`).
 */
function browserActor(ctx: KoaContextWithOIDC): string {
  return ctx.oidc?.session?.accountId ?? ctx.ip;
}

/**
 * grantRevoker names who had a grant revoked: the client that revoked its own token at the
 * revocation endpoint (it authenticated before the provider revokes anything), the user logging
 * out at end_session, and otherwise the hub itself, which revokes a grant when a code or a
 * refresh token is used twice.
 */
function grantRevoker(ctx: KoaContextWithOIDC): string {
  const route = ctx.oidc?.route;
  if (route === 'revocation' && ctx.oidc.client) return `client:${ctx.oidc.client.clientId}`;
  if (route === 'end_session' || route === 'end_session_confirm') return browserActor(ctx);
  return 'system';
}

/** Records the provider's events in `audit` (and in `log` a back-channel logout not stored). */
export function registerProviderEvents(provider: Provider, o: { audit: AuditLog; log: Logger; metrics?: HubMetrics['oidc'] }): void {
  // A refused caller is not proven to be anyone: the provider sets `ctx.oidc.client` from the
  // client_id it was sent before checking the client's credentials, so a failure at the client
  // endpoints (token, introspection, revocation, userinfo) names the IP as actor and the claimed
  // client only as `clientId`. At the browser endpoints a signed-in user is the actor.
  const fail = (type: string, actor: (ctx: KoaContextWithOIDC) => string) => (ctx: KoaContextWithOIDC, err: OidcError) =>
    o.audit.record({
      type,
      actor: actor(ctx),
      outcome: 'failure',
      clientId: ctx.oidc?.client?.clientId ?? (typeof ctx.oidc?.params?.client_id === 'string' ? ctx.oidc.params.client_id : undefined),
      error: err.error ?? 'server_error',
      description: err.error_description,
      ip: ctx.ip,
    });
  const anonymous = (ctx: KoaContextWithOIDC) => ctx.ip;

  provider.on('authorization.error', fail('oidc.authorization.failed', browserActor));
  provider.on('grant.error', fail('oidc.token.failed', anonymous));
  // Labels from the provider's fixed vocabularies only: a grant type it supports (anything else
  // is `other`) and its OAuth error codes; the claimed client_id is not one (unbounded).
  provider.on('grant.error', (ctx: KoaContextWithOIDC, err: OidcError) =>
    o.metrics?.tokenFailures.inc({ grant_type: knownGrant(ctx.oidc?.params?.grant_type), error: err.error ?? 'server_error' }),
  );
  provider.on('end_session.error', fail('oidc.logout.failed', browserActor));
  // The logout's second step, the confirmation form posted back (a stale or missing xsrf token,
  // a session already gone), fails under its own event name: the same failed logout.
  provider.on('end_session_confirm.error', fail('oidc.logout.failed', browserActor));
  provider.on('introspection.error', fail('oidc.introspection.failed', anonymous));
  provider.on('revocation.error', fail('oidc.revocation.failed', anonymous));
  provider.on('userinfo.error', fail('oidc.userinfo.failed', anonymous));
  // server_error is answered and logged once, with the request id, where the provider is
  // mounted (mount-provider.ts), like every other failure of the hub.
  provider.on('authorization.success', (ctx: KoaContextWithOIDC) =>
    o.audit.record({
      type: 'oidc.authorization.succeeded',
      actor: browserActor(ctx),
      outcome: 'success',
      subject: ctx.oidc.session?.accountId,
      clientId: ctx.oidc.client?.clientId,
      ip: ctx.ip,
    }),
  );
  // grant.success comes only after the client authenticated: the client is the actor, and a
  // registered client (a bounded label).
  provider.on('grant.success', (ctx: KoaContextWithOIDC) =>
    o.metrics?.tokensIssued.inc({ grant_type: knownGrant(ctx.oidc.params?.grant_type), client_id: ctx.oidc.client?.clientId ?? 'unknown' }),
  );
  provider.on('grant.success', (ctx: KoaContextWithOIDC) =>
    o.audit.record({
      type: 'oidc.token.issued',
      actor: ctx.oidc.client ? `client:${ctx.oidc.client.clientId}` : ctx.ip,
      outcome: 'success',
      clientId: ctx.oidc.client?.clientId,
      grantType: ctx.oidc.params?.grant_type as string,
      ip: ctx.ip,
    }),
  );
  provider.on('grant.revoked', (ctx: KoaContextWithOIDC, grantId: string) =>
    o.audit.record({ type: 'oidc.grant.revoked', actor: grantRevoker(ctx), outcome: 'info', clientId: ctx.oidc?.client?.clientId, grantId }),
  );
  provider.on('end_session.success', (ctx: KoaContextWithOIDC) =>
    o.audit.record({
      type: 'oidc.logout.succeeded',
      actor: browserActor(ctx),
      outcome: 'success',
      subject: ctx.oidc.session?.accountId,
      clientId: ctx.oidc.client?.clientId,
      ip: ctx.ip,
    }),
  );
  // The provider's end_session step hands its back-channel logouts to the hub's deliverer
  // (logout/provider-backchannel.ts), which audits every attempt; this error only means the
  // delivery could not even be stored.
  provider.on('backchannel.error', (_ctx: KoaContextWithOIDC, err: Error, client: { clientId: string }) =>
    o.log.error({ err, clientId: client.clientId }, 'could not store a back-channel logout of an RP-initiated logout'),
  );
}

const GRANTS = new Set(['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code', 'urn:openid:params:grant-type:ciba', 'urn:ietf:params:oauth:grant-type:token-exchange']);

/** A grant type as a metric label: one the provider knows, or `other` (the parameter is the caller's text). */
function knownGrant(value: unknown): string {
  return typeof value === 'string' && GRANTS.has(value) ? value : 'other';
}
