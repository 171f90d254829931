import http from 'node:http';

/**
 * A lean HTTP/1.1 client for the load driver: node:http with a keep-alive agent (less CPU per
 * request than fetch, which matters when the driver shares the machine with what it measures),
 * and a minimal cookie jar. Only loopback targets are ever used.
 */
export const agent = new http.Agent({ keepAlive: true, maxSockets: 512, keepAliveMsecs: 10_000 });

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** When set, told of every request's method, URL and milliseconds (the paired sign-ins' steps). */
let onTimed: ((method: string, url: URL, ms: number) => void) | undefined;
export function timeRequests(fn: typeof onTimed): void {
  onTimed = fn;
}

export function request(
  url: URL,
  init: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<Reply> {
  if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
    return Promise.reject(new Error(`the load driver only talks to loopback, not ${url.hostname}`));
  }
  const t0 = performance.now();
  const timed = onTimed;
  return new Promise<Reply>((resolve, reject) => {
    const headers: Record<string, string | number> = { ...init.headers };
    if (init.body !== undefined) headers['content-length'] = Buffer.byteLength(init.body);
    const req = http.request(
      { agent, hostname: url.hostname, port: url.port, path: url.pathname + url.search, method: init.method ?? 'GET', headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(init.timeoutMs ?? 30_000, () => req.destroy(new Error(`timeout after ${init.timeoutMs ?? 30_000} ms: ${init.method ?? 'GET'} ${url.pathname}`)));
    req.on('error', reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  }).then((reply) => {
    timed?.(init.method ?? 'GET', url, performance.now() - t0);
    return reply;
  });
}

/** Cookies by name for one host (every server of the bench is on 127.0.0.1, like one browser's jar for that host). */
export class Jar {
  readonly cookies = new Map<string, string>();

  store(setCookie: string[] | undefined): void {
    for (const header of setCookie ?? []) {
      const semi = header.indexOf(';');
      const pair = semi === -1 ? header : header.slice(0, semi);
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = /;\s*max-age=0/i.test(header) || /;\s*expires=thu, 01 jan 1970/i.test(header) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    let out = '';
    for (const [k, v] of this.cookies) out += out ? `; ${k}=${v}` : `${k}=${v}`;
    return out;
  }

  clone(): Jar {
    const j = new Jar();
    for (const [k, v] of this.cookies) j.cookies.set(k, v);
    return j;
  }
}

/** Sends a request with the jar's cookies and stores the answer's cookies. */
export async function browse(jar: Jar, url: URL, init: { method?: string; form?: Record<string, string>; accept?: string } = {}): Promise<Reply> {
  const headers: Record<string, string> = { accept: init.accept ?? 'text/html,application/json;q=0.9' };
  const cookie = jar.header();
  if (cookie) headers.cookie = cookie;
  let body: string | undefined;
  if (init.form) {
    body = new URLSearchParams(init.form).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  const res = await request(url, { method: init.method ?? (body ? 'POST' : 'GET'), headers, ...(body !== undefined ? { body } : {}) });
  jar.store(res.headers['set-cookie']);
  return res;
}
