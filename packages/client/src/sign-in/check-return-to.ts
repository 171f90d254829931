import { SsoClientError } from '../errors.ts';

/**
 * checkReturnTo accepts only a same-origin relative path (`/orders?id=1`), so the sign-in
 * round trip can never become an open redirect. Absolute URLs, protocol-relative `//host`,
 * backslash tricks (`/\host`) and control characters are refused. `undefined` means `/`.
 *
 * @example
 * ```ts
 * checkReturnTo('/orders?id=1'); // '/orders?id=1'
 * checkReturnTo('https://evil.example/'); // throws SSOHUB_CLIENT_ERR_RETURN_TO_REFUSED
 * ```
 */
export function checkReturnTo(returnTo: string | undefined): string {
  if (returnTo === undefined || returnTo === '') return '/';
  const refused = () => new SsoClientError('SSOHUB_CLIENT_ERR_RETURN_TO_REFUSED', 'returnTo must be a relative path on this site', { status: 400 });
  if (typeof returnTo !== 'string' || returnTo.length > 2048) throw refused();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (!returnTo.startsWith('/') || returnTo.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(returnTo)) throw refused();
  // Resolve against a throwaway origin: whatever the browser would make of it must stay there.
  const probe = new URL(returnTo, 'https://return-to.invalid');
  if (probe.origin !== 'https://return-to.invalid') throw refused();
  // Dot segments can normalise into a protocol-relative path (`/.//evil.example` → `//evil.example`):
  // the value returned is what the Location header will carry, so check it again.
  const normalized = probe.pathname + probe.search + probe.hash;
  if (normalized.startsWith('//') || normalized.startsWith('/\\')) throw refused();
  return normalized;
}
