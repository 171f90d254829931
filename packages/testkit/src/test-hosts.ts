import dns from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';

/**
 * The host names the tests and the demo use for the hub and the client apps. They are unrelated
 * registrable domains on purpose: cookies of one must never be visible to another.
 */
export const TEST_HOSTS = {
  hub: 'login.sso.test',
  appA: 'app-a.test',
  shopB: 'shop-b.example',
} as const;

const LOOPBACK_SUFFIXES = ['.test', '.example', '.localhost'];

/** True for the reserved names (RFC 2606 / 6761) that the test kit maps to loopback. */
export function isTestHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || LOOPBACK_SUFFIXES.some((s) => host.endsWith(s));
}

let installed = false;

/**
 * Makes Node-side clients (fetch, http, axios) resolve `*.test`, `*.example` and `*.localhost` to
 * 127.0.0.1, the way Chromium's host-resolver rules do, so servers can be addressed by the same
 * unrelated host names a browser sees. Every other name resolves as usual.
 */
export function mapTestHostsToLoopback(): void {
  if (installed) return;
  installed = true;
  const original = dns.lookup;
  const patched = ((hostname: string, options: unknown, callback?: unknown) => {
    const cb = (typeof options === 'function' ? options : callback) as (
      err: NodeJS.ErrnoException | null,
      address: string | LookupAddress[],
      family?: number,
    ) => void;
    const opts: LookupOptions = typeof options === 'object' && options !== null ? (options as LookupOptions) : {};
    if (!isTestHost(hostname)) {
      return (original as (...args: unknown[]) => void)(hostname, options, callback);
    }
    if (opts.all) return process.nextTick(cb, null, [{ address: '127.0.0.1', family: 4 }]);
    return process.nextTick(cb, null, '127.0.0.1', 4);
  }) as typeof dns.lookup;
  dns.lookup = patched;
}
