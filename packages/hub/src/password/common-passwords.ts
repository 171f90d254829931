import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * The common and breached passwords the hub refuses for a new password (issue #21), shipped with
 * the project: no network call, unlike Kratos' haveibeenpwned check (off in kratos.yml).
 *
 * Source: `passwords.json` of the npm package @zxcvbn-ts/language-common 3.0.4 (MIT licence,
 * https://github.com/zxcvbn-ts/zxcvbn): 49,233 passwords ranked by frequency in public breach
 * corpora (the list zxcvbn draws from the Xato ten-million-password corpus and leaked lists).
 * Pinned exactly in packages/hub/package.json.
 *
 * Loaded once, on first use (or at startup: preloadCommonPasswords), into a Set of lower-cased
 * entries. Measured on Node 24: 2.6 MB of heap, 14 ms to read and build; a lookup is one hash
 * probe (under 0.1 µs).
 */
const LIST_MODULE = '@zxcvbn-ts/language-common/src/passwords.json';

let loaded: ReadonlySet<string> | undefined;

function list(): ReadonlySet<string> {
  if (!loaded) {
    const path = createRequire(import.meta.url).resolve(LIST_MODULE);
    const entries = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (!Array.isArray(entries)) throw new Error(`${LIST_MODULE} is not a list of passwords`);
    loaded = new Set(entries.filter((e): e is string => typeof e === 'string').map((e) => e.toLowerCase()));
  }
  return loaded;
}

/**
 * True when `password` is on the list, ignoring case: `Password123` is as guessable as
 * `password123`, since attackers' lists try the usual capitalisations first.
 */
export function isCommonPassword(password: string): boolean {
  return password !== '' && list().has(password.toLowerCase());
}

/** How many passwords the list holds (loading it if needed): for tests and `ssohub doctor`. */
export function commonPasswordCount(): number {
  return list().size;
}

/** Loads the list now, so the first sign-up does not pay for it. */
export function preloadCommonPasswords(): void {
  list();
}
