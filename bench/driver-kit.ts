/**
 * What the load drivers (load-driver.ts for the hub, peer/driver.ts for the hub against Hydra)
 * share: a browser's redirect walk, client authentication, percentiles and the HTML unescaping
 * their form scraping needs.
 */
import { browse, type Jar } from './http.ts';

/** HTTP Basic client authentication (RFC 6749 section 2.3.1: id and secret form-encoded first). */
export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/** Follows redirects until the browser is sent to a URL `stopWhen` accepts (or gets a page: an error). */
export async function follow(jar: Jar, start: URL, stopWhen: (u: URL) => boolean, maxHops = 14): Promise<URL> {
  let url = start;
  for (let hops = 0; hops < maxHops; hops++) {
    if (stopWhen(url)) return url;
    const res = await browse(jar, url);
    const location = res.headers.location;
    if (res.status < 300 || res.status >= 400 || !location) throw new Error(`expected a redirect from ${url.pathname}, got ${res.status}: ${res.body.slice(0, 200)}`);
    url = new URL(location, url);
  }
  throw new Error(`too many redirects from ${start.pathname}`);
}

/** The q-quantile of ascending `sorted` (nearest rank), NaN when empty. */
export function percentile(sorted: readonly number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : Number.NaN;
}

export function unescapeHtml(s: string): string {
  return s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}
