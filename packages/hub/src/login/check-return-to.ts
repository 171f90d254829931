import { SsoHubError } from '../errors/ssohub-error.ts';
import { text } from '../i18n/translate.ts';

export interface ReturnToPolicy {
  /** The hub's own origin; always allowed. */
  publicUrl: string;
  /** Client app origins that may receive the browser back (config.allowedReturnOrigins). */
  allowedReturnOrigins: readonly string[];
}

/**
 * Checks a `return_to` against the allow-list (the hub's origin plus the configured client
 * origins) and returns it as an absolute URL, or undefined when none was given. Relative paths
 * resolve against the hub. Anything else is refused here, before Kratos sees it, so the user gets
 * a page that says what happened instead of a redirect to a foreign host (invariant 5).
 */
export function checkReturnTo(value: string | undefined, policy: ReturnToPolicy): string | undefined {
  if (value === undefined || value === '') return undefined;
  const hub = new URL(policy.publicUrl);
  let url: URL;
  try {
    // "//evil.example" and "/\evil.example" are host-relative URLs, not paths: parse as a URL does.
    url = new URL(value, hub);
  } catch {
    throw refused(value, 'invalid');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refused(value, 'scheme');
  if (url.username || url.password) throw refused(value, 'credentials');
  const allowed = new Set([hub.origin, ...policy.allowedReturnOrigins.map((o) => new URL(o).origin)]);
  if (!allowed.has(url.origin)) throw refused(value, 'origin');
  return url.toString();
}

/** Like checkReturnTo, but for values we only pass along (links): a refused value is dropped. */
export function keepReturnTo(value: string | undefined, policy: ReturnToPolicy): string | undefined {
  try {
    return checkReturnTo(value, policy);
  } catch {
    return undefined;
  }
}

/** Why a return_to is refused: the message's `reason` (anything but the first three: not allow-listed). */
type Refusal = 'invalid' | 'scheme' | 'credentials' | 'origin';

function refused(value: string, reason: Refusal): SsoHubError {
  let shown = value;
  try {
    shown = new URL(value).host || value;
  } catch {
    // not absolute; show it as given (escaped by the page)
  }
  return new SsoHubError(
    'SSOHUB_ERR_RETURN_TO_REFUSED',
    text('flows.return_to.refused', { host: shown.slice(0, 200), reason }),
    { status: 400, detail: { returnTo: value.slice(0, 500) } },
  );
}
