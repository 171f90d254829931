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
 * request, so it stays a string scan. Returns undefined when absent.
 */
export function readCookie(header: string | undefined | null, name: string): string | undefined {
  if (!header) return undefined;
  for (let at = header.indexOf(name); at !== -1; at = header.indexOf(name, at + 1)) {
    let before = at - 1;
    while (before >= 0 && header[before] === ' ') before--;
    if ((before >= 0 && header[before] !== ';') || header[at + name.length] !== '=') continue;
    const end = header.indexOf(';', at);
    const raw = header.slice(at + name.length + 1, end === -1 ? undefined : end).trim();
    try {
      return decodeURIComponent(raw);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
