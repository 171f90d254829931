import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import type { AppTarget, AuditTarget } from '../audit-context.ts';
import { CheckCannotRun } from '../audit-http.ts';
import type { BrowserSession, HeldCookie, Hop } from '../browser-session.ts';
import { redactUrl } from '../redact.ts';

/**
 * `--browser`: the live checks sign in with headless Chromium instead of the audit's HTTP client,
 * so what the map lists is what a real browser kept (its own Secure, SameSite and prefix rules,
 * and cookies that scripts set). Every answer Chromium receives is recorded in the audit's
 * cookie jar as well, so the logout proofs that follow carry exactly the browser's cookies.
 *
 * Chromium is Debian's (`/usr/bin/chromium`, or `SSOHUB_CHROMIUM`), driven through playwright-core,
 * which the CLI loads only when `--browser` is given. `SSOHUB_AUDIT_CHROMIUM_ARGS` adds switches
 * (e.g. `--host-resolver-rules=...` or `--ignore-certificate-errors-spki-list=...` for a test
 * deployment on private names).
 */

interface PwCookie { name: string; domain: string; path: string; expires: number; httpOnly: boolean; secure: boolean; sameSite: string }
interface PwResponse { url(): string; status(): number; headersArray(): Promise<{ name: string; value: string }[]> }
interface PwLocator { fill(v: string): Promise<void>; click(): Promise<void>; count(): Promise<number> }
interface PwPage {
  goto(url: string, o?: { waitUntil?: string; timeout?: number }): Promise<unknown>;
  url(): string;
  on(event: 'response', fn: (r: PwResponse) => void): void;
  locator(selector: string): PwLocator & { first(): PwLocator };
  waitForURL(match: (u: URL) => boolean, o?: { timeout?: number }): Promise<void>;
}
interface PwContext { newPage(): Promise<PwPage>; cookies(): Promise<PwCookie[]>; close(): Promise<void> }
interface PwBrowser { newContext(o?: Record<string, unknown>): Promise<PwContext>; close(): Promise<void> }

const CHROMIUM = () => process.env.SSOHUB_CHROMIUM ?? '/usr/bin/chromium';
const HOW = 'Install Chromium (Debian: apt-get install chromium, or set SSOHUB_CHROMIUM to its path) and playwright-core beside the CLI, or run without --browser.';

let launched: Promise<PwBrowser> | undefined;

/** Launches Chromium once per run; `closeChromium` ends it. */
async function chromium(): Promise<PwBrowser> {
  launched ??= (async () => {
    let pw: { chromium: { launch(o: Record<string, unknown>): Promise<PwBrowser> } };
    try {
      pw = (await import('playwright-core' as string)) as typeof pw;
    } catch (err) {
      throw new CheckCannotRun(`--browser needs playwright-core, which is not installed (${(err as Error).message.split('\n')[0]})`, HOW);
    }
    try {
      await access(CHROMIUM(), constants.X_OK);
    } catch {
      throw new CheckCannotRun(`--browser: no Chromium at ${CHROMIUM()}`, HOW);
    }
    // Switches are split where the next `--` starts: a switch's value may hold spaces (--host-resolver-rules=MAP a 127.0.0.1, MAP b ...).
    const extra = (process.env.SSOHUB_AUDIT_CHROMIUM_ARGS ?? '').trim().split(/\s+(?=--)/).filter(Boolean);
    // Chromium refuses to run as root with its sandbox (containers, CI); elsewhere the sandbox stays.
    const root = process.getuid?.() === 0;
    return pw.chromium.launch({
      executablePath: CHROMIUM(),
      headless: true,
      args: ['--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', ...(root ? ['--no-sandbox'] : []), ...extra],
    });
  })();
  return launched;
}

/** Closes the Chromium of this run, if one was launched. */
export async function closeChromium(): Promise<void> {
  const b = launched;
  launched = undefined;
  if (b) await (await b.catch(() => undefined))?.close();
}

/**
 * Signs the test user in at each app with Chromium (a password on the hub's login page at the
 * first, single sign-on at the others), records every answer in `session`, and returns the
 * cookies Chromium holds afterwards, each attributed to the host whose answer set it.
 */
export async function chromiumSignInAtApps(t: AuditTarget, apps: AppTarget[], session: BrowserSession): Promise<HeldCookie[]> {
  const user = t.testUser!;
  const context = await (await chromium()).newContext({ locale: 'en-US' });
  try {
    const page = await context.newPage();
    const answers: Promise<Hop>[] = [];
    page.on('response', (r) => {
      answers.push(
        r.headersArray().then((headers) => {
          const location = headers.find((h) => h.name.toLowerCase() === 'location')?.value;
          return { url: r.url(), status: r.status(), location: location ? new URL(location, r.url()).toString() : undefined, setCookies: headers.filter((h) => h.name.toLowerCase() === 'set-cookie').flatMap((h) => h.value.split('\n')), body: '', headers: new Headers() };
        }),
      );
    });
    const hubOrigin = new URL(t.hubUrl).origin;
    for (const [i, app] of apps.entries()) {
      const origin = new URL(app.url).origin;
      await page.goto(`${app.url}${app.loginPath}`, { waitUntil: 'load', timeout: 20_000 });
      if (new URL(page.url()).origin === hubOrigin && new URL(page.url()).pathname === '/login') {
        if (i > 0) throw new CheckCannotRun(`signing in at ${app.url} in Chromium after ${apps[0]!.url} showed the hub's login page again: single sign-on did not carry over`, 'Check that the hub keeps the test user signed in (its session cookie) between two apps.');
        await page.locator('input[name="identifier"]').fill(user.email);
        await page.locator('input[name="password"]').fill(user.password);
        await page.locator('button[name="method"][value="password"]').first().click();
        await page.waitForURL((u) => u.origin === origin, { timeout: 20_000 }).catch(() => undefined);
      }
      if (new URL(page.url()).origin !== origin) {
        throw new CheckCannotRun(`the sign-in at ${app.url}${app.loginPath} in Chromium ended at ${redactUrl(page.url())}, not back on the app`, `Check --test-user and the app's sign-in path (--app ${app.url},login=/path).`);
      }
    }
    for (const hop of await Promise.all(answers)) session.record(hop);
    const jar = session.heldCookies();
    return (await context.cookies()).map((c) => {
      const hostOnly = !c.domain.startsWith('.');
      const host = c.domain.replace(/^\./, '');
      // The attributes as sent (from the jar, where the answer was seen), else as Chromium keeps them (a cookie set by a script).
      const seen = jar.find((j) => j.name === c.name && j.host === host);
      return (
        seen ?? {
          name: c.name,
          host,
          hostOnly,
          setBy: host,
          attributes: { domain: hostOnly ? undefined : host, path: c.path, secure: c.secure, httpOnly: c.httpOnly, sameSite: c.sameSite, expires: c.expires > 0 ? new Date(c.expires * 1000).toUTCString() : undefined, maxAge: undefined },
        }
      );
    });
  } finally {
    await context.close();
  }
}
