import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from 'pino';
import type { AuditLog } from '../../audit/audit-log.ts';

type OidcError = Error & { error?: string; error_description?: string; status?: number };

/**
 * Every provider event the hub cares about, in one place (logto's events.ts): protocol failures
 * and successes become audit events (codes, tokens and secrets never do). Server errors are
 * answered and logged where the provider is mounted (mount-provider.ts).
 */
export function registerProviderEvents(provider: Provider, o: { audit: AuditLog; log: Logger }): void {
  const fail = (type: string) => (ctx: KoaContextWithOIDC, err: OidcError) =>
    o.audit.record({
      type,
      outcome: 'failure',
      clientId: ctx.oidc?.client?.clientId ?? (typeof ctx.oidc?.params?.client_id === 'string' ? ctx.oidc.params.client_id : undefined),
      error: err.error ?? 'server_error',
      description: err.error_description,
      ip: ctx.ip,
    });

  provider.on('authorization.error', fail('oidc.authorization.failed'));
  provider.on('grant.error', fail('oidc.token.failed'));
  provider.on('end_session.error', fail('oidc.logout.failed'));
  provider.on('introspection.error', fail('oidc.introspection.failed'));
  provider.on('revocation.error', fail('oidc.revocation.failed'));
  provider.on('userinfo.error', fail('oidc.userinfo.failed'));
  // server_error is answered and logged once, with the request id, where the provider is
  // mounted (mount-provider.ts), like every other failure of the hub.
  provider.on('authorization.success', (ctx: KoaContextWithOIDC) =>
    o.audit.record({ type: 'oidc.authorization.succeeded', outcome: 'success', subject: ctx.oidc.session?.accountId, clientId: ctx.oidc.client?.clientId, ip: ctx.ip }),
  );
  provider.on('grant.success', (ctx: KoaContextWithOIDC) =>
    o.audit.record({ type: 'oidc.token.issued', outcome: 'success', clientId: ctx.oidc.client?.clientId, grantType: ctx.oidc.params?.grant_type as string, ip: ctx.ip }),
  );
  provider.on('grant.revoked', (ctx: KoaContextWithOIDC, grantId: string) =>
    o.audit.record({ type: 'oidc.grant.revoked', outcome: 'info', clientId: ctx.oidc?.client?.clientId, grantId }),
  );
  provider.on('end_session.success', (ctx: KoaContextWithOIDC) =>
    o.audit.record({ type: 'oidc.logout.succeeded', outcome: 'success', subject: ctx.oidc.session?.accountId, clientId: ctx.oidc.client?.clientId, ip: ctx.ip }),
  );
  // The provider's end_session step hands its back-channel logouts to the hub's deliverer
  // (logout/provider-backchannel.ts), which audits every attempt; this error only means the
  // delivery could not even be stored.
  provider.on('backchannel.error', (_ctx: KoaContextWithOIDC, err: Error, client: { clientId: string }) =>
    o.log.error({ err: { message: err.message }, clientId: client.clientId }, 'could not store a back-channel logout of an RP-initiated logout'),
  );
}
