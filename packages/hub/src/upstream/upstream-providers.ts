import { CORPORATE_DIRECTORY_MAPPER } from './corporate-directory-mapper.ts';

/** One upstream OpenID provider, as a platform team writes it (see docs/upstream-providers.md). */
export interface UpstreamProvider {
  /** Kratos' provider id: lower case, in the callback path /self-service/methods/oidc/callback/<id>. */
  id: string;
  /** Shown on the button: "Continue with <label>". */
  label: string;
  issuer: string;
  clientId: string;
  /** Never logged nor printed; read from clientSecretFile when that is given. */
  clientSecret: string;
  scopes: string[];
  /** 'corporate-directory' (the shipped preset) or a Jsonnet mapper URL Kratos reads (file://, https://, base64://). */
  mapper: string;
  /** Where the claims come from: the ID token, or the userinfo endpoint (the preset's choice: every directory serves it). */
  claimsSource: 'id_token' | 'userinfo';
}

export const CORPORATE_DIRECTORY = 'corporate-directory';
const DEFAULT_SCOPES = ['openid', 'email', 'profile'];
const KNOWN_KEYS = new Set(['id', 'label', 'issuer', 'clientId', 'clientSecret', 'clientSecretFile', 'scopes', 'mapper', 'claimsSource']);

/**
 * Reads the `upstreamProviders` list (parsed YAML or JSON) into providers, or the problems found,
 * each naming its option (`upstreamProviders[0].issuer`). `readSecret` reads a clientSecretFile;
 * a secret's value never appears in a problem.
 */
export function parseUpstreamProviders(
  doc: unknown,
  readSecret: (file: string) => string,
): { providers: UpstreamProvider[]; problems: string[] } {
  const problems: string[] = [];
  const providers: UpstreamProvider[] = [];
  const list = doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as { upstreamProviders?: unknown }).upstreamProviders : doc;
  if (!Array.isArray(list)) return { providers, problems: ['upstreamProviders must be a list of providers'] };
  const ids = new Set<string>();
  list.forEach((raw, i) => {
    const at = (key: string) => `upstreamProviders[${i}].${key}`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push(`upstreamProviders[${i}] must be an object with id, label, issuer, clientId and clientSecret`);
      return;
    }
    const p = raw as Record<string, unknown>;
    for (const key of Object.keys(p)) if (!KNOWN_KEYS.has(key)) problems.push(`${at(key)} is not an option (known: ${[...KNOWN_KEYS].join(', ')})`);
    const str = (key: string) => (typeof p[key] === 'string' ? (p[key] as string).trim() : undefined);
    const id = str('id');
    if (!id || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(id)) problems.push(`${at('id')} must be lower-case letters, digits and dashes (it is part of the callback URL)`);
    else if (ids.has(id)) problems.push(`${at('id')} ${id} is used by another provider`);
    else ids.add(id);
    const label = str('label');
    if (!label) problems.push(`${at('label')} is required: the name on the sign-in button`);
    const issuer = str('issuer');
    if (!issuer || !isHttpsUrl(issuer)) problems.push(`${at('issuer')} must be the provider's https issuer URL (its discovery document is <issuer>/.well-known/openid-configuration)`);
    const clientId = str('clientId');
    if (!clientId) problems.push(`${at('clientId')} is required`);
    let clientSecret = str('clientSecret');
    const secretFile = str('clientSecretFile');
    if (clientSecret && secretFile) problems.push(`${at('clientSecret')} and ${at('clientSecretFile')} both given: keep one`);
    else if (secretFile) {
      try {
        clientSecret = readSecret(secretFile).trim();
        if (!clientSecret) problems.push(`${at('clientSecretFile')} ${secretFile} is empty`);
      } catch (err) {
        problems.push(`${at('clientSecretFile')} ${secretFile} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    } else if (!clientSecret) problems.push(`${at('clientSecretFile')} (or ${at('clientSecret')}) is required`);
    let scopes = DEFAULT_SCOPES;
    if (p.scopes !== undefined) {
      if (!Array.isArray(p.scopes) || !p.scopes.every((s) => typeof s === 'string' && /^[\x21-\x7e]+$/.test(s))) problems.push(`${at('scopes')} must be a list of scope names`);
      else {
        scopes = p.scopes as string[];
        if (!scopes.includes('openid')) problems.push(`${at('scopes')} must include openid`);
      }
    }
    const mapper = str('mapper') ?? CORPORATE_DIRECTORY;
    if (mapper !== CORPORATE_DIRECTORY && !/^(file|https|base64):\/\//.test(mapper)) {
      problems.push(`${at('mapper')} must be ${CORPORATE_DIRECTORY} or a Jsonnet URL Kratos reads (file://, https://, base64://)`);
    }
    const claimsSource = str('claimsSource') ?? 'userinfo';
    if (claimsSource !== 'userinfo' && claimsSource !== 'id_token') problems.push(`${at('claimsSource')} must be userinfo or id_token`);
    if (id && label && issuer && clientId && clientSecret) {
      providers.push({ id, label, issuer: issuer.replace(/\/$/, ''), clientId, clientSecret, scopes, mapper, claimsSource: claimsSource as UpstreamProvider['claimsSource'] });
    }
  });
  return { providers: problems.length ? [] : providers, problems };
}

/**
 * Kratos' `selfservice.methods.oidc` for the providers: each a `generic` provider found by
 * discovery. The callback goes through the hub (base_redirect_uri), so the provider's registered
 * redirect URI is <hub>/self-service/methods/oidc/callback/<id>.
 */
export function kratosOidcMethod(providers: readonly UpstreamProvider[], hubUrl: string): Record<string, unknown> {
  if (!providers.length) return {};
  return {
    oidc: {
      enabled: true,
      config: {
        base_redirect_uri: hubUrl.replace(/\/$/, ''),
        providers: providers.map((p) => ({
          id: p.id,
          provider: 'generic',
          label: p.label,
          issuer_url: p.issuer,
          client_id: p.clientId,
          client_secret: p.clientSecret,
          scope: p.scopes,
          mapper_url: p.mapper === CORPORATE_DIRECTORY ? `base64://${Buffer.from(CORPORATE_DIRECTORY_MAPPER).toString('base64')}` : p.mapper,
          claims_source: p.claimsSource,
        })),
      },
    },
  };
}

/** The callback URL to register at the upstream provider for a provider id. */
export function upstreamCallbackUrl(hubUrl: string, id: string): string {
  return `${hubUrl.replace(/\/$/, '')}/self-service/methods/oidc/callback/${id}`;
}

function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && !url.username && !url.password && !url.search && !url.hash;
  } catch {
    return false;
  }
}
