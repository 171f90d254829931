import { buildApp, type Hub } from '../app.ts';
import { checkConfig } from '../config/check-config.ts';
import type { HubConfigInput } from '../config/hub-config.ts';
import { createLogger } from '../http/create-logger.ts';

/**
 * Helpers for the console's inject tests: a whole hub (memory store, silent log, Kratos on a
 * closed port) and a signed-in console session to call pages with. Not used by the hub itself.
 */

export const CONSOLE_TEST_TOKEN = 'console-test-admin-token-0123456789';
/** The Host the tests' requests name: the same-origin check compares Origin with it. */
export const CONSOLE_TEST_ORIGIN = 'http://localhost:80';

export function consoleTestConfig(overrides: HubConfigInput = {}) {
  return checkConfig({
    mode: 'development',
    publicUrl: 'http://login.localhost:4000',
    store: { kind: 'memory' },
    kratos: { publicUrl: 'http://127.0.0.1:9', adminUrl: 'http://127.0.0.1:9' },
    bridge: { cookieKeys: ['test-cookie-key-0123456789abcdefghijklmnop'] },
    ...overrides,
    admin: { token: CONSOLE_TEST_TOKEN, ...overrides.admin },
  });
}

/** A hub to inject into (`hub.admin.inject`); close it after the tests. */
export async function buildConsoleTestHub(overrides: HubConfigInput = {}): Promise<Hub> {
  const hub = await buildApp(consoleTestConfig(overrides), { log: createLogger('silent', { write: () => {} }) });
  await Promise.all([hub.app.ready(), hub.admin.ready()]);
  return hub;
}

export interface ConsoleTestSession {
  /** The Cookie header to send. */
  cookie: string;
  /** The session's CSRF token, for `csrf` in form posts. */
  csrf: string;
}

/** URL-encodes a form body (`application/x-www-form-urlencoded`); array values repeat the field. */
export function formBody(fields: Record<string, string | readonly string[] | undefined>): string {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    for (const one of typeof v === 'string' ? [v] : v) out.append(k, one);
  }
  return out.toString();
}

/** Signs in to the console as `name` and reads the session's CSRF token from a page. */
export async function signInToConsole(hub: Hub, { name = 'alice', token = CONSOLE_TEST_TOKEN }: { name?: string; token?: string } = {}): Promise<ConsoleTestSession> {
  const res = await hub.admin.inject({
    method: 'POST',
    url: '/console/sign-in',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: CONSOLE_TEST_ORIGIN },
    payload: formBody({ name, token }),
  });
  const set = res.cookies.find((c) => c.name === 'ssohub_console');
  if (res.statusCode !== 303 || !set) throw new Error(`console sign-in failed: ${res.statusCode} ${res.body.slice(0, 300)}`);
  const cookie = `ssohub_console=${set.value}`;
  const page = await hub.admin.inject({ method: 'GET', url: '/console/lockouts', headers: { cookie } });
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1];
  if (!csrf) throw new Error('no CSRF token on a console page');
  return { cookie, csrf };
}

/** GETs a console page as the session. */
export function getConsolePage(hub: Hub, session: ConsoleTestSession, url: string, headers: Record<string, string> = {}) {
  return hub.admin.inject({ method: 'GET', url, headers: { cookie: session.cookie, ...headers } });
}

/** Posts a console form as the session, from the console's own origin, with its CSRF token (unless `fields.csrf` says otherwise). */
export function postConsoleForm(hub: Hub, session: ConsoleTestSession, url: string, fields: Record<string, string | readonly string[] | undefined> = {}, headers: Record<string, string> = {}) {
  return hub.admin.inject({
    method: 'POST',
    url,
    headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded', origin: CONSOLE_TEST_ORIGIN, ...headers },
    payload: formBody({ csrf: session.csrf, ...fields }),
  });
}
