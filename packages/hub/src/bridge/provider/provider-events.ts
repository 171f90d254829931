import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from 'pino';
import type { AuditLog } from '../../audit/audit-log.ts';
import type { BackchannelDeliverer } from '../logout/backchannel-deliverer.ts';

type OidcError = Error & { error?: string; error_description?: string; status?: number };

/**
 * Every provider event the hub cares about, in one place (logto's events.ts): protocol failures
 * and successes become audit events (codes, tokens and secrets never do), server errors are logged
 * with their cause, and back-channel attempts made by the provider's own end_session step join the
 * hub's delivery bookkeeping (retries included).
 */
export function registerProviderEvents(provider: Provider, o: { audit: AuditLog; log: Logger; deliverer: BackchannelDeliverer }): void {
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
  provider.on('server_error', (ctx: KoaContextWithOIDC, err: Error) => {
    o.log.error({ err, route: ctx.oidc?.route }, 'OIDC provider server error');
  });
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
  provider.on('backchannel.success', (_ctx: KoaContextWithOIDC, client: { clientId: string }, accountId: string, sid: string) =>
    void o.deliverer.recordProviderAttempt({ clientId: client.clientId, accountId, sid, attempt: 1, reason: 'rp_initiated_logout' }, undefined),
  );
  provider.on('backchannel.error', (_ctx: KoaContextWithOIDC, err: Error, client: { clientId: string }, accountId: string, sid: string) =>
    void o.deliverer.recordProviderAttempt({ clientId: client.clientId, accountId, sid, attempt: 1, reason: 'rp_initiated_logout' }, err),
  );
}
