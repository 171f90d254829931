import dns, { type LookupAddress, type LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';

/**
 * A check that could not run, with why and what to give or fix so it can: the audit records it
 * as `inconclusive`, never as a failure of the deployment.
 */
export class CheckCannotRun extends Error {
  override name = 'CheckCannotRun';
  readonly howToRun: string;
  constructor(detail: string, howToRun: string, options?: { cause?: unknown }) {
    super(detail, options);
    this.howToRun = howToRun;
  }
}

/** `localhost` and every name under `.localhost` (RFC 6761): browsers resolve them to loopback themselves. */
export function isLocalhostName(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return host === 'localhost' || host.endsWith('.localhost');
}

/** Loopback origins browsers treat as potentially trustworthy over http (Secure cookies, secure context). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return isLocalhostName(host) || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1';
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * Resolves `*.localhost` to 127.0.0.1 as browsers do (Node's resolver asks DNS, which usually
 * knows no such name); every other name goes to `dns.lookup`, looked up at call time so a
 * process-wide mapping (the test kit's) still applies.
 */
export function browserLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  if (isLocalhostName(hostname)) {
    if (options.all) process.nextTick(callback, null, [{ address: '127.0.0.1', family: 4 }]);
    else process.nextTick(callback, null, '127.0.0.1', 4);
    return;
  }
  (dns.lookup as unknown as (h: string, o: LookupOptions, cb: LookupCallback) => void)(hostname, options, callback);
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: string;
}

/**
 * One HTTP request of the audit, never following redirects. Uses node:http(s) with the browser's
 * name resolution (`browserLookup`); TLS trust is Node's (system roots, NODE_EXTRA_CA_CERTS).
 * Network failures become `CheckCannotRun` with a hint (a name that does not resolve, nothing
 * listening, an untrusted certificate, a timeout).
 */
export function httpRequest(
  url: string | URL,
  { method = 'GET', headers = {}, body, timeoutMs = 10_000 }: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<HttpAnswer> {
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise<HttpAnswer>((resolve, reject) => {
    const req = lib.request(
      u,
      {
        method,
        headers: { ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) },
        lookup: browserLookup as never,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => reject(explainNetworkError(err, u, method, timeoutMs)));
        res.on('end', () => {
          const h = new Headers();
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
            try {
              h.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
            } catch {
              // A header value fetch would refuse is dropped, as fetch would.
            }
          }
          resolve({ status: res.statusCode ?? 0, headers: h, body: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    req.on('error', (err) => reject(explainNetworkError(err, u, method, timeoutMs)));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const TLS_CODES = /^(ERR_TLS_|UNABLE_TO_|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_|ERR_SSL_)/;

/** Turns a network error into a `CheckCannotRun` that names the host and says what to do. */
export function explainNetworkError(err: Error, url: URL, method: string, timeoutMs: number): CheckCannotRun {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const where = `${method} ${url.origin}${url.pathname}`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NODATA' || code === 'EAI_NONAME') {
    return new CheckCannotRun(
      `${where}: the host name ${url.hostname} does not resolve (${code}).`,
      `Check the URL; for a deployment on private names run the audit where they resolve (DNS or /etc/hosts). Names under .localhost resolve to 127.0.0.1 in the audit as in browsers.`,
      { cause: err },
    );
  }
  if (code === 'ECONNREFUSED') {
    return new CheckCannotRun(`${where}: nothing listens on ${url.host} (${code}).`, `Start the service at ${url.origin} or correct the URL (the port too).`, { cause: err });
  }
  if (err.name === 'TimeoutError' || err.name === 'AbortError' || code === 'ETIMEDOUT' || code === 'ABORT_ERR') {
    return new CheckCannotRun(`${where}: no answer within ${timeoutMs / 1000} s.`, `Check that ${url.origin} is up and reachable from here (firewall, proxy).`, { cause: err });
  }
  if (TLS_CODES.test(code)) {
    return new CheckCannotRun(
      `${where}: the TLS certificate of ${url.host} is not trusted (${code}).`,
      'Trust the issuing CA for this run: NODE_EXTRA_CA_CERTS=/path/to/ca.pem ssohub audit isolation ...',
      { cause: err },
    );
  }
  return new CheckCannotRun(`${where}: ${err.message}${code ? ` (${code})` : ''}.`, `Check that ${url.origin} is reachable from here.`, { cause: err });
}
