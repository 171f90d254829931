import { randomBytes } from 'node:crypto';
import { checkConfig, ConfigError } from '@ssohub/hub/config';
import { generateSigningKey, type PrivateJwk, type SigningAlgorithm } from '@ssohub/hub/keys';
import { CliError } from '../../errors/cli-error.ts';
import { EXIT } from '../../errors/exit-codes.ts';
import { readTextFile } from '../../files/read-text-file.ts';

/** What `keys` commands show of a key: never its private members. */
export interface KeyFact {
  kid: string;
  alg: string;
  createdAt: string | undefined;
  /** The first key of its algorithm signs; the others only verify tokens they signed earlier. */
  role: 'signs' | 'verifies';
}

/** A new key named by algorithm and day (`es256-20261204-9f8e7d6c`), so a kid says its age. */
export function newSigningKey(alg: SigningAlgorithm, now = new Date()): Promise<PrivateJwk> {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '');
  return generateSigningKey(alg, `${alg.toLowerCase()}-${day}-${randomBytes(4).toString('hex')}`);
}

/**
 * Reads a private JWKS file (`{"keys": [...]}`, or a bare array, as the hub accepts) and checks
 * it with the hub's own rules, so a file the CLI accepts is one the hub starts with.
 */
export async function readSigningKeyFile(path: string): Promise<PrivateJwk[]> {
  const text = await readTextFile(path, 'the signing keys file');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CliError(EXIT.USAGE, `${path} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const keys = Array.isArray(parsed) ? parsed : (parsed as { keys?: unknown })?.keys;
  if (!Array.isArray(keys)) throw new CliError(EXIT.USAGE, `${path} must hold a JWKS ({"keys": [...]}) of private keys`);
  checkSigningKeys(keys as PrivateJwk[], path);
  return keys as PrivateJwk[];
}

export function checkSigningKeys(keys: PrivateJwk[], where: string): void {
  try {
    checkConfig({ bridge: { signingKeys: keys } }, { only: ['bridge.signingKeys'] });
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(EXIT.USAGE, `${where} would not start the hub:\n  - ${err.problems.join('\n  - ')}`);
    throw err;
  }
}

export function formatJwks(keys: PrivateJwk[]): string {
  return `${JSON.stringify({ keys }, null, 2)}\n`;
}

export function keyFacts(keys: PrivateJwk[]): KeyFact[] {
  const seen = new Set<string>();
  return keys.map((k) => {
    const alg = String(k.alg);
    const role = seen.has(alg) ? 'verifies' : 'signs';
    seen.add(alg);
    return { kid: String(k.kid), alg, createdAt: typeof k.iat === 'number' ? new Date(k.iat * 1000).toISOString() : undefined, role };
  });
}
