import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SsoHubError } from '../errors/ssohub-error.ts';
import { KratosEndpoint } from './kratos-endpoint.ts';
import { KratosError } from './kratos-error.ts';
import { nextPageToken, type Paging, readEveryPage } from './read-every-page.ts';

// Kratos v1.3.1's two kinds of admin list, as its source and ory/x@v0.0.660 implement them.
//
// An identity's sessions (offset list): session/handler.go listIdentitySessions parses
// `page_size`/`page_token` (tokenpagination: base64url `{"offset":"N","v":2}`) or else
// `page`/`per_page` into a 0-based page, which persister_session.go hands to pop's Paginate,
// 1-based (page < 1 reads as 1). The `Link` header (migrationpagination's formatter over
// pagination/header.go) is built from the 0-based page, with X-Total-Count.
// `countsFromZero` plays a Kratos with that off-by-one fixed.
//
// Identities (keyset list): `page_size` and the last id seen as `page_token`; a "next" link
// unless the page was the last (keysetpagination/header.go), no X-Total-Count.
function offsetToken(offset: number): string {
  return Buffer.from(`{"offset":"${offset}","v":2}`).toString('base64url');
}
function offsetOf(token: string | null): number {
  return token ? Number(JSON.parse(Buffer.from(token, 'base64url').toString()).offset) : 0;
}
function migrationLink(url: URL, total: number, page: number, perPage: number): string {
  const f = (rel: string, size: number, offset: number) => {
    const u = new URL(url);
    u.searchParams.set('page_size', String(size));
    u.searchParams.set('page_token', offsetToken(offset));
    u.searchParams.set('per_page', String(size));
    u.searchParams.set('page', String(Math.floor(offset / size)));
    u.searchParams.sort();
    return `<${u.pathname}${u.search}>; rel="${rel}"`;
  };
  const offset = page * perPage;
  const lastOffset = total % perPage === 0 ? total - perPage : Math.floor(total / perPage) * perPage;
  const at = (k: number) => k * perPage;
  const p = Math.floor(offset / perPage);
  if (offset >= lastOffset) {
    if (total === 0) return [f('first', perPage, 0), f('next', perPage, at(p + 1)), f('prev', perPage, at(p - 1))].join(',');
    if (total <= perPage) return f('first', total, 0);
    return [f('first', perPage, 0), f('prev', perPage, lastOffset - perPage)].join(',');
  }
  if (offset < perPage) return [f('next', perPage, perPage), f('last', perPage, lastOffset)].join(',');
  return [f('first', perPage, 0), f('next', perPage, at(p + 1)), f('prev', perPage, at(p - 1)), f('last', perPage, lastOffset)].join(',');
}

let sessions: { id: string }[] = [];
let identities: { id: string }[] = [];
let countsFromZero = false;
/** When set, a session created right after a page is read: what was on that page slides onto the next. */
let createWhileReading: { id: string } | undefined;
const seen: URL[] = [];
const server = http.createServer((req, res) => {
  seen.push(new URL(req.url ?? '/', 'http://kratos'));
  // The hub reaches this Kratos under a proxy's prefix; Kratos knows nothing of it.
  const url = new URL((req.url ?? '/').replace(/^\/kratos-admin/, ''), 'http://kratos');
  const q = url.searchParams;
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  if (url.pathname === '/admin/identities/unknown/sessions') return json(404, { error: { code: 404 } });
  if (url.pathname === '/admin/identities/broken/sessions') {
    if (q.get('page') !== '0') return json(500, { error: { code: 500, message: 'database gone' } });
    return json(200, many(3));
  }
  if (url.pathname === '/admin/identities/odd/sessions') return json(200, { id: 'not a list' });
  if (url.pathname === '/admin/identities/ada/sessions') {
    const tokens = q.has('page_token') || q.has('page_size');
    const perPage = Math.max(1, Math.min(Number(q.get(tokens ? 'page_size' : 'per_page') ?? 250) || 250, 1000));
    const page = tokens ? Math.floor(offsetOf(q.get('page_token')) / perPage) : Math.max(0, Number(q.get('page') ?? 0) || 0);
    const from = countsFromZero ? page * perPage : Math.max(page - 1, 0) * perPage;
    const answer = sessions.slice(from, from + perPage);
    const headers = { 'x-total-count': String(sessions.length), link: migrationLink(url, sessions.length, page, perPage) };
    if (createWhileReading) {
      sessions.unshift(createWhileReading);
      createWhileReading = undefined;
    }
    return json(200, answer, headers);
  }
  if (url.pathname === '/admin/identities') {
    const size = Number(q.get('page_size') ?? 250);
    const after = q.get('page_token') ?? '';
    const rest = identities.filter((i) => i.id > after);
    const answer = rest.slice(0, size);
    const link = (rel: string, token: string) => `</admin/identities?page_size=${size}&page_token=${token}>; rel="${rel}"`;
    const links = [link('first', '00000000-0000-0000-0000-000000000000'), ...(rest.length > size ? [link('next', answer.at(-1)!.id)] : [])];
    return json(200, answer, { link: links.join(',') });
  }
  return json(404, { error: { code: 404 } });
});
let api: KratosEndpoint;

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  api = new KratosEndpoint(`http://127.0.0.1:${(server.address() as AddressInfo).port}/kratos-admin`, 2_000);
});
afterAll(async () => {
  await api.close();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  seen.length = 0;
  createWhileReading = undefined;
  countsFromZero = false;
});

function many(n: number, prefix = 's') {
  return Array.from({ length: n }, (_, i) => ({ id: `${prefix}${String(i).padStart(5, '0')}` }));
}
const readSessions = (identity: string, options: { pageSize?: number; maxPages?: number; paging?: Paging } = {}) =>
  readEveryPage<{ id: string }>(api, `/admin/identities/${identity}/sessions`, new URLSearchParams({ active: 'true' }), {
    what: `the sessions of ${identity}`,
    paging: 'numbered',
    absentStatus: 404,
    ...options,
  });
const pagesAsked = () => seen.map((u) => u.searchParams.get('page'));

describe('readEveryPage on an offset list (an identity sessions)', () => {
  it('reads every item of Kratos v1.3.1, whose pages 0 and 1 are the same first page', async () => {
    sessions = many(1_234);
    expect(await readSessions('ada')).toEqual(sessions);
    expect(pagesAsked()).toEqual(['0', '1', '2', '3']);
    expect(seen.every((u) => u.searchParams.get('per_page') === '500' && !u.searchParams.has('page_token'))).toBe(true);
  });

  it('reads every item of a Kratos that counts pages from 0, with one request fewer', async () => {
    countsFromZero = true;
    sessions = many(1_234);
    expect(await readSessions('ada')).toEqual(sessions);
    expect(pagesAsked()).toEqual(['0', '1', '2']);
  });

  it("would lose the last page following v1.3.1's Link header, and says so instead of answering part of the list", async () => {
    sessions = many(8);
    const err = await readSessions('ada', { pageSize: 3, paging: 'linked' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SsoHubError);
    expect(err).toMatchObject({ detail: { total: 8, read: 6 } });
    expect((err as Error).message).toMatch(/^Kratos counts 8 in the sessions of ada but its pages held 6; /);
    seen.length = 0;
    expect(await readSessions('ada', { pageSize: 3 })).toEqual(sessions);
  });

  it('stays on its own endpoint, path and query', async () => {
    sessions = many(7);
    await readSessions('ada', { pageSize: 3 });
    expect(new Set(seen.map((u) => u.pathname))).toEqual(new Set(['/kratos-admin/admin/identities/ada/sessions']));
    expect(seen.map((u) => [...u.searchParams.keys()].sort().join())).toEqual(Array(seen.length).fill('active,page,per_page'));
  });

  it('asks once when everything fits (exactly a page too) and for an empty list', async () => {
    for (const n of [0, 1, 499, 500]) {
      seen.length = 0;
      sessions = many(n);
      expect(await readSessions('ada')).toHaveLength(n);
      expect(seen).toHaveLength(1);
    }
  });

  it('keeps once an item a page shift brings back, and refuses the list when a session created while reading was missed', async () => {
    countsFromZero = true;
    sessions = many(5);
    createWhileReading = { id: 'new' };
    // s00002 comes back on the second page and is kept once; the new session is counted but sits
    // on a page already read.
    await expect(readSessions('ada', { pageSize: 3 })).rejects.toMatchObject({ detail: { total: 6, read: 5 } });
  });

  it('answers an empty list for the absent status, and throws KratosError for any other failure, on any page', async () => {
    expect(await readSessions('unknown')).toEqual([]);
    await expect(readSessions('broken', { pageSize: 3 })).rejects.toBeInstanceOf(KratosError);
    await expect(readSessions('broken', { pageSize: 3 })).rejects.toMatchObject({ status: 500 });
    await expect(readSessions('odd')).rejects.toMatchObject({ name: 'KratosUnavailableError', message: 'Kratos sent an unreadable answer: the sessions of odd is not a list' });
  });

  it('refuses to go past its request bound rather than answer part of the list', async () => {
    countsFromZero = true;
    sessions = many(10);
    const err = await readSessions('ada', { pageSize: 3, maxPages: 3 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SsoHubError);
    expect(err).toMatchObject({ code: 'SSOHUB_ERR_INTERNAL', status: 500, expose: false, detail: { what: 'the sessions of ada', requests: 3, pageSize: 3, read: 9 } });
    expect((err as Error).message).toBe('the sessions of ada has more than 3 pages of 3 in Kratos; the hub reads no further, so it neither lists nor acts on a partial list');
    expect(seen).toHaveLength(3);
    // Exactly at the bound is fine.
    expect(await readSessions('ada', { pageSize: 3, maxPages: 4 })).toHaveLength(10);
  });
});

describe('readEveryPage on a keyset list (identities)', () => {
  const readIdentities = (pageSize: number) =>
    readEveryPage<{ id: string }>(api, '/admin/identities', new URLSearchParams({ credentials_identifier: 'ada@example.com' }), { what: 'identities', paging: 'linked', pageSize });

  it("follows the next link's token to the last page", async () => {
    identities = many(7, 'i');
    expect(await readIdentities(3)).toEqual(identities);
    expect(seen.map((u) => [u.searchParams.get('page_size'), u.searchParams.get('page_token')])).toEqual([
      ['3', null],
      ['3', 'i00002'],
      ['3', 'i00005'],
    ]);
    expect(seen.every((u) => u.pathname === '/kratos-admin/admin/identities' && u.searchParams.get('credentials_identifier') === 'ada@example.com')).toBe(true);
  });

  it('asks once when everything fits, exactly a page too', async () => {
    identities = many(3, 'i');
    expect(await readIdentities(3)).toEqual(identities);
    expect(seen).toHaveLength(1);
  });
});

describe('nextPageToken', () => {
  it.each([
    ['case=keyset (identities, /admin/sessions)', '</admin/identities?page_size=250&page_token=00000000-0000-0000-0000-000000000000>; rel="first",</admin/identities?page_size=250&page_token=a9f1>; rel="next"', 'a9f1'],
    ['case=offset, first page', '</admin/identities/x/sessions?page=1&page_size=2&page_token=eyJvZmZzZXQiOiIyIiwidiI6Mn0&per_page=2>; rel="next",</admin/identities/x/sessions?page=1&page_size=2&page_token=eyJvZmZzZXQiOiIyIiwidiI6Mn0&per_page=2>; rel="last"', 'eyJvZmZzZXQiOiIyIiwidiI6Mn0'],
    ['case=last page', '</a?page_token=AA>; rel="first",</a?page_token=BB>; rel="prev"', undefined],
    ['case=only first', '</a?page_size=3&page_token=AA>; rel="first"', undefined],
    ['case=unquoted rel, spaces, absolute URL', '<https://kratos.example/a?page_token=CC> ;  rel=next', 'CC'],
    ['case=several relations in one', '</a?page_token=DD>; rel="prev next"', 'DD'],
    ['case=encoded token', '</a?page_token=a%2Cb%3D>; rel="next"', 'a,b='],
    ['case=next without a token', '</a?page=2>; rel="next"', undefined],
    ['case=no header', undefined, undefined],
  ])('%s', (_, link, token) => {
    expect(nextPageToken(link)).toBe(token);
  });

  it('reads a header sent twice', () => {
    expect(nextPageToken(['</a?page_token=AA>; rel="first"', '</a?page_token=BB>; rel="next"'])).toBe('BB');
  });
});
