/**
 * Owns the answer to a client using a grant it is not allowed: RFC 6749 5.2 `unauthorized_client`
 * where oidc-provider says `invalid_request` (a client that signs users in asking for
 * client_credentials, a service client asking for a refresh; decision 0019).
 */
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';

/** oidc-provider's description of exactly this refusal (lib/actions/token.js allowedGrantTypeCheck). */
const NOT_ALLOWED = 'requested grant type is not allowed for this client';

type OidcError = Error & { error?: string; error_description?: string };

/**
 * Relabels the refusal twice, because the provider sets the response body before it emits
 * `grant.error`: the error object first (so the audit event and the token-failure metric say
 * unauthorized_client), then the body on the way out.
 */
export function answerUnauthorizedGrant(provider: Provider): void {
  provider.prependListener('grant.error', (_ctx: KoaContextWithOIDC, err: OidcError) => {
    if (err.error === 'invalid_request' && err.error_description === NOT_ALLOWED) err.error = 'unauthorized_client';
  });
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { error?: unknown; error_description?: unknown } | undefined;
    if (ctx.status === 400 && body?.error === 'invalid_request' && body.error_description === NOT_ALLOWED) {
      ctx.body = { ...body, error: 'unauthorized_client' };
    }
  });
}
