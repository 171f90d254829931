/**
 * The Jsonnet of deploy/kratos/oidc/corporate-directory.jsonnet, kept here so the site file can
 * carry it inline (a base64:// mapper_url): Kratos then needs no extra file beside its config.
 * A test keeps the two copies equal.
 */
export const CORPORATE_DIRECTORY_MAPPER = `// SSO Hub's "corporate directory" claim mapping for a generic OpenID Connect provider (Kratos'
// oidc method, mapper_url). Takes the claims any standard directory sends (Keycloak, Entra ID,
// Okta, Authentik, Google Workspace) and makes the identity's traits of them.
// The address counts as verified only when the directory says so (email_verified: true); an
// unverified one goes through the hub's verification by code like a typed-in address.
local claims = std.extVar('claims');
local email = if std.objectHas(claims, 'email') then claims.email else error 'the upstream provider sent no email claim (ask for the email scope)';
local verified = std.objectHas(claims, 'email_verified') && claims.email_verified == true;
local name =
  if std.objectHas(claims, 'name') && claims.name != '' then claims.name
  else std.join(' ', [claims[k] for k in ['given_name', 'family_name'] if std.objectHas(claims, k) && claims[k] != '']);
{
  identity: {
    traits: { email: email } + (if name != '' then { name: name } else {}),
    [if verified then 'verified_addresses']: [{ via: 'email', value: email }],
  },
}
`;
