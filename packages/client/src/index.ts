// Re-exports only: the public surface of @ssohub/client.
export { type SsoApiExpress, type SsoApiRequest, ssoApiExpress } from './adapters/express-api-middleware.ts';
export { type SsoExpress, type SsoMiddleware, type SsoRequest, ssoExpress } from './adapters/express-middleware.ts';
export { type SsoApiFastifyOptions, ssoApiFastify } from './adapters/fastify-api-plugin.ts';
export { type SsoFastifyOptions, ssoFastify } from './adapters/fastify-plugin.ts';
export { sendWebResponse, toWebRequest } from './adapters/node-web-bridge.ts';
export { escapeHtml, renderError } from './adapters/render-error.ts';
export { createSsoWebHandler, type SsoWebHandler, type SsoWebHandlerOptions } from './adapters/web-handler.ts';
export { type CreateSsoClientExtras, createSsoClient, type SsoClient } from './create-sso-client.ts';
export { isSsoClientError, SsoClientError, type SsoClientErrorCode } from './errors.ts';
export { type AccessDecision, type SsoRouteRequirement, wantsHtml } from './guard/check-access.ts';
export type { BackchannelLogoutBody, HandlerResponse } from './logout/handle-backchannel-logout.ts';
export type { SignOutResult } from './logout/sign-out.ts';
export { BACKCHANNEL_LOGOUT_EVENT, type LogoutTokenChecks, type VerifiedLogoutToken, verifyLogoutToken } from './logout/verify-logout-token.ts';
export { checkOptions, DEFAULT_ROUTES, type ResolvedOptions, type SsoClientOptions, type SsoRoutes, type TokenEndpointAuthMethod } from './options.ts';
export { MemorySessionStore, type MemorySessionStoreOptions } from './session/memory-session-store.ts';
export { RedisSessionStore, type RedisSessionStoreOptions } from './session/redis-session-store.ts';
export {
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
  type BearerCheck,
  bearerErrorResponse,
  createAccessTokenVerifier,
  type VerifiedAccessToken,
} from './resource/access-token-verifier.ts';
export type { SessionClaims, SessionRecord, SessionTokens, SsoSession } from './session/session-record.ts';
export type { SessionStore } from './session/session-store.ts';
export type { BeginSignInInput, SignInStart } from './sign-in/begin-sign-in.ts';
export { checkReturnTo } from './sign-in/check-return-to.ts';
export type { SignInResult } from './sign-in/complete-sign-in.ts';
