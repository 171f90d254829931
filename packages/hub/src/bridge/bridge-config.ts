import type { ConfigProblems } from '../config/config-problems.ts';
import type { DeepPartial } from '../config/hub-config.ts';

/** Configuration of the OIDC bridge (the provider on the login domain). */
export interface BridgeConfig {
  /** Path the provider is mounted under; the issuer is publicUrl + path. */
  path: string;
  /** Keys that sign the provider's cookies; the first signs, all verify (rotate by prepending). */
  cookieKeys: string[];
  /**
   * Private JWKs that sign ID tokens and logout tokens (ES256 and RS256). Each needs a unique
   * `kid`; the first key of each algorithm signs, the rest only verify until their tokens expire.
   * Empty in development means: generate an ephemeral pair at startup (with a warning).
   */
  signingKeys: Record<string, unknown>[];
  /** Static clients from configuration; clients created through the admin API live in the store. */
  clients: Record<string, unknown>[];
}

export function checkBridgeConfig(
  p: ConfigProblems,
  input: DeepPartial<BridgeConfig>,
  { mode }: { mode: string; publicUrl: string },
): BridgeConfig {
  const path = p.string('bridge.path', input.path ?? '/oidc');
  if (path && !/^\/[a-z0-9-]+$/.test(path)) p.add('bridge.path', 'must be a single path segment such as /oidc');
  const cookieKeys = p.stringArray('bridge.cookieKeys', input.cookieKeys ?? []);
  cookieKeys.forEach((k, i) => {
    if (k.length < 32) p.add(`bridge.cookieKeys[${i}]`, 'must be at least 32 characters long');
  });
  if (mode === 'production' && cookieKeys.length === 0) p.add('bridge.cookieKeys', 'must hold at least one key in production');
  const signingKeys = (input.signingKeys ?? []) as Record<string, unknown>[];
  if (!Array.isArray(signingKeys)) p.add('bridge.signingKeys', 'must be an array of private JWKs');
  if (mode === 'production' && signingKeys.length === 0) p.add('bridge.signingKeys', 'must hold at least one private JWK in production');
  const clients = (input.clients ?? []) as Record<string, unknown>[];
  if (!Array.isArray(clients)) p.add('bridge.clients', 'must be an array of client definitions');
  return { path, cookieKeys, signingKeys, clients };
}
