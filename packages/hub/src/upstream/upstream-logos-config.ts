import type { ConfigProblems } from '../config/config-problems.ts';
import { defaultsFromSchema } from '../config/defaults-from-schema.ts';

/** The logo shown on an upstream provider's button: an https URL, or a data: image (no request at all). */
export interface UpstreamLogo {
  /** Kratos' provider id (the `id` of `ssohub kratos config --upstream-providers`). */
  provider: string;
  logo: string;
}
export type UpstreamLogos = readonly UpstreamLogo[];

const DATA_IMAGE = /^data:image\/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=]+$/;
const MAX_DATA_LENGTH = 64 * 1024;

/**
 * `upstreamLogos`: the logos of the upstream identity providers' buttons. The buttons are Kratos'
 * nodes, which carry only the provider's name; the hub adds the logo. An https logo's origin
 * joins the CSP img-src of the pages that show it, alone (upstream/provider-logos.ts).
 */
export function checkUpstreamLogos(p: ConfigProblems, given: unknown, { mode }: { mode: string }): UpstreamLogos {
  const input = given ?? defaultsFromSchema('upstreamLogos');
  if (!Array.isArray(input)) {
    p.add('upstreamLogos', 'must be a list of { "provider": "<provider id>", "logo": "https://…" }');
    return [];
  }
  const out: UpstreamLogo[] = [];
  input.forEach((entry: unknown, i) => {
    const at = `upstreamLogos[${i}]`;
    const { provider, logo } = (entry ?? {}) as { provider?: unknown; logo?: unknown };
    if (typeof provider !== 'string' || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(provider)) {
      p.add(`${at}.provider`, 'must be a provider id: lower-case letters, digits and dashes');
      return;
    }
    if (out.some((o) => o.provider === provider)) {
      p.add(`${at}.provider`, `${provider} has a logo already`);
      return;
    }
    if (typeof logo === 'string' && logo.startsWith('data:')) {
      if (!DATA_IMAGE.test(logo) || logo.length > MAX_DATA_LENGTH) p.add(`${at}.logo`, `a data: logo must be data:image/(png|jpeg|gif|webp|svg+xml);base64,… and at most ${MAX_DATA_LENGTH} characters`);
      else out.push({ provider, logo });
      return;
    }
    let url: URL | undefined;
    try {
      url = new URL(String(logo));
    } catch {
      // reported below
    }
    const httpOk = mode !== 'production' && url?.protocol === 'http:';
    if (typeof logo !== 'string' || !url || (url.protocol !== 'https:' && !httpOk) || url.username || url.password) {
      p.add(`${at}.logo`, 'must be an https:// URL (http:// only in development) without credentials, or a data:image/…;base64, URL');
    } else out.push({ provider, logo: url.href });
  });
  return out;
}
