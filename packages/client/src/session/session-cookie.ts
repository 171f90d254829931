import { createHash } from 'node:crypto';
import { serialize } from 'cookie';

/** CookieSettings decide the names and flags of this client's cookies. */
export interface CookieSettings {
  clientId: string;
  cookieName: string | undefined;
  secureCookies: boolean;
}

/**
 * sessionCookieName is `__Host-<name>` under https (Secure, host-only, Path=/ are then enforced
 * by the browser) and the plain name under http development. The default name carries a short
 * hash of the client id, so two apps on one host (e.g. localhost) never share a cookie.
 *
 * @example
 * ```ts
 * sessionCookieName({ clientId: 'app-a', cookieName: undefined, secureCookies: true }); // '__Host-ssohub-1b2c3d4e'
 * ```
 */
export function sessionCookieName(settings: CookieSettings): string {
  const base = settings.cookieName ?? `ssohub-${createHash('sha256').update(settings.clientId).digest('hex').slice(0, 8)}`;
  return settings.secureCookies ? `__Host-${base}` : base;
}

/** transactionCookieName is the session cookie name plus `-tx`. */
export function transactionCookieName(settings: CookieSettings): string {
  return `${sessionCookieName(settings)}-tx`;
}

/**
 * buildCookie serializes a host-only cookie: never a Domain attribute, always Path=/, HttpOnly
 * and SameSite=Lax (Lax, not Strict: the callback is a cross-site top-level GET from the hub
 * and must carry the transaction cookie). Secure under https. `maxAge` 0 clears it.
 */
export function buildCookie(name: string, value: string, maxAge: number, secure: boolean): string {
  return serialize(name, value, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure,
    maxAge: Math.max(0, Math.floor(maxAge)),
    ...(maxAge <= 0 ? { expires: new Date(0) } : {}),
  });
}

/**
 * readCookie finds one cookie in a Cookie header without parsing the others: it runs on every
 * request, so it stays a string scan. It reads the header as the `cookie` package's parse does:
 * pairs split at `;`, name and value trimmed of spaces and tabs (`;\tname =v` is a pair too), the
 * first pair of the name wins, the value percent-decoded when it decodes and kept as sent when it
 * does not. A name counts only at the start of a pair, never inside another cookie's value.
 * Returns undefined when absent.
 */
export function readCookie(header: string | undefined | null, name: string): string | undefined {
  if (!header) return undefined;
  for (let at = header.indexOf(name); at !== -1; at = header.indexOf(name, at + 1)) {
    let before = at - 1;
    while (before >= 0 && isBlank(header.charCodeAt(before))) before--;
    if (before >= 0 && header[before] !== ';') continue;
    let eq = at + name.length;
    while (isBlank(header.charCodeAt(eq))) eq++;
    if (header[eq] !== '=') continue;
    const end = header.indexOf(';', eq);
    const raw = trimBlanks(header.slice(eq + 1, end === -1 ? undefined : end));
    if (!raw.includes('%')) return raw;
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return undefined;
}

/** Space or tab: the white space RFC 6265 (and the cookie package) trims, not String#trim's. */
function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

function trimBlanks(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isBlank(s.charCodeAt(start))) start++;
  while (end > start && isBlank(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}
