import { SsoHubError } from '../errors/ssohub-error.ts';
import { type KratosEndpoint, kratosError } from './kratos-endpoint.ts';
import { KratosUnavailableError } from './kratos-error.ts';

/** Items per page asked for: the most Kratos v1.3.1 documents for an identity's sessions (500; 1,000 for keyset lists). */
export const PAGE_SIZE = 500;

/**
 * Requests made before giving up: 10,000 items at PAGE_SIZE. An identity with more sessions than
 * that is a script signing in in a loop, and answering a partial list would let a "revoke every
 * session" leave some alive.
 */
export const MAX_PAGES = 20;

const JSON_ONLY = { accept: 'application/json' };

/**
 * How a Kratos v1.3.1 admin list pages:
 * - `linked`: keyset lists (`/admin/identities`, `/admin/sessions`). `page_size` and an opaque
 *   `page_token`; the next page's token is in the `Link` header (rel="next"), absent on the last.
 * - `numbered`: offset lists (`/admin/identities/{id}/sessions`). Their `Link` header cannot be
 *   followed: the handler turns the token into a 0-based page number and the store reads it as
 *   pop's 1-based one (session/handler.go listIdentitySessions → persister_session.go
 *   ListSessionsByIdentity → Paginate), so the linked second page repeats the first and the last
 *   page is never linked (ory/kratos#3883 for the same bug in /sessions). They are read with the
 *   deprecated but supported `page`/`per_page` instead, counting 0, 1, 2…: pages 0 and 1 are the
 *   same first page on v1.3.1 (kept once), and a Kratos that counts from 0 correctly reads the
 *   same way. A short page ends the list; `X-Total-Count` checks that nothing was skipped.
 */
export type Paging = 'linked' | 'numbered';

/**
 * readEveryPage reads a Kratos admin list to its end, one request per page. Only a token or page
 * number goes into the next request: it stays on this endpoint and path, so a link naming another
 * host, or Kratos' own view of its path behind a proxy, is never followed.
 *
 * `absentStatus` (404 for an unknown identity) answers an empty list. An item that a page shift
 * (a session created while reading) brings back twice is kept once. More than `maxPages`
 * requests, or fewer items than Kratos counts in `X-Total-Count` (offset lists), throw an
 * SsoHubError that names the list: never a partial list.
 */
export async function readEveryPage<T extends { id: string }>(
  api: KratosEndpoint,
  path: string,
  query: URLSearchParams,
  options: { what: string; paging: Paging; absentStatus?: number; pageSize?: number; maxPages?: number },
): Promise<T[]> {
  const { what, paging, absentStatus, pageSize = PAGE_SIZE, maxPages = MAX_PAGES } = options;
  const params = new URLSearchParams(query);
  params.set(paging === 'linked' ? 'page_size' : 'per_page', String(pageSize));
  if (paging === 'numbered') params.set('page', '0');
  const items: T[] = [];
  const seen = new Set<string>();
  for (let request = 1; ; request++) {
    const res = await api.send(`${path}?${params}`, JSON_ONLY);
    if (request === 1 && res.status === absentStatus) return [];
    if (res.status !== 200) throw kratosError(res);
    const page = res.body;
    if (!Array.isArray(page)) throw new KratosUnavailableError(`Kratos sent an unreadable answer: ${what} is not a list`);
    for (const item of page as T[]) {
      if (seen.has(item.id)) continue;
      seen.add(item.id);
      items.push(item);
    }
    // Offset lists count their items (keyset lists do not): NaN when absent, and no check then.
    const total = Number(res.headers['x-total-count']);
    let next: string | undefined;
    if (paging === 'numbered') next = page.length >= pageSize && !(items.length >= total) ? String(request) : undefined;
    // An empty page ends the list whatever the link says: Kratos' offset links name a next page
    // even for an empty list (ory/x pagination/header.go, total 0).
    else next = page.length > 0 ? nextPageToken(res.headers.link) : undefined;
    if (next === undefined) {
      if (items.length < total) {
        throw new SsoHubError('SSOHUB_ERR_INTERNAL', `Kratos counts ${total} in ${what} but its pages held ${items.length}; the list changed while it was read, or Kratos pages differently than v1.3.1`, {
          status: 500,
          detail: { what, total, read: items.length, requests: request, pageSize },
        });
      }
      return items;
    }
    if (request === maxPages) {
      throw new SsoHubError('SSOHUB_ERR_INTERNAL', `${what} has more than ${maxPages} pages of ${pageSize} in Kratos; the hub reads no further, so it neither lists nor acts on a partial list`, {
        status: 500,
        detail: { what, requests: request, pageSize, read: items.length },
      });
    }
    params.set(paging === 'linked' ? 'page_token' : 'page', next);
  }
}

/**
 * The `page_token` of the rel="next" link in a `Link` header (RFC 8288:
 * `<url>; rel="next", <url>; rel="first"`), or undefined when there is no next page.
 */
export function nextPageToken(link: string | string[] | undefined): string | undefined {
  if (!link) return undefined;
  const value = Array.isArray(link) ? link.join(',') : link;
  for (const [, target, params] of value.matchAll(/<([^>]*)>([^<]*)/g)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params ?? '');
    if (!(rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/).includes('next')) continue;
    const token = new URL(target ?? '', 'http://kratos.invalid').searchParams.get('page_token');
    return token || undefined;
  }
  return undefined;
}
