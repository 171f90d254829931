/**
 * demoClientRegistration is how the hub registers a demo app: first-party (no consent screen),
 * exact redirect URI on the SDK's default callback path, back-channel logout with `sid`, and
 * refresh tokens. The demo command and the end-to-end tests register their apps with it.
 * `idTokenAlg` ES256 makes the hub sign this app's ID tokens with its ES256 key (the SDK verifies
 * either; RS256 is the default).
 */
export function demoClientRegistration({
  clientId,
  name,
  url,
  secret,
  idTokenAlg,
}: { clientId: string; name: string; url: string; secret: string; idTokenAlg?: 'RS256' | 'ES256' }) {
  return {
    ...(idTokenAlg ? { id_token_signed_response_alg: idTokenAlg } : {}),
    client_id: clientId,
    client_name: name,
    client_secret: secret,
    redirect_uris: [`${url}/auth/callback`],
    post_logout_redirect_uris: [`${url}/`],
    backchannel_logout_uri: `${url}/auth/backchannel-logout`,
    backchannel_logout_session_required: true,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: 'openid email profile offline_access',
    ssohub_first_party: true,
  };
}
