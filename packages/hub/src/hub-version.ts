import { readFileSync } from 'node:fs';

let version: string | undefined;

/**
 * The hub's version as its package says: the doctor report's `version` (what the isolation audit
 * states as its run context) and `service.version` of its spans. Read once, from the same relative
 * path in src/ and dist/.
 */
export function hubVersion(): string {
  if (version === undefined) {
    try {
      version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      version = 'unknown';
    }
  }
  return version;
}
