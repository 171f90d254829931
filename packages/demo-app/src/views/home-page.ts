import { escapeHtml, type SsoSession } from '@ssohub/client';
import { layout } from './layout.ts';

/** What the home page shows. */
export interface HomeView {
  appName: string;
  accent: string;
  otherAppUrl: string;
  otherAppName: string;
  session: SsoSession | null;
  storeDescription: string;
}

const when = (seconds: number) => new Date(seconds * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');

/**
 * homePage shows who is signed in and this app's OWN session: only the last 8 characters of its
 * id (enough to tell sessions apart, useless to an attacker), when it started and ends, and the
 * hub session id (sid) that back-channel logout targets.
 */
export function homePage(view: HomeView): string {
  const e = escapeHtml;
  const other = `<a data-testid="other-app" href="${e(view.otherAppUrl)}">Open ${e(view.otherAppName)}</a>`;
  if (!view.session) {
    return layout({
      appName: view.appName,
      accent: view.accent,
      title: 'Welcome',
      body: `<section><h2>You are not signed in to ${e(view.appName)}</h2>
<p>Sign in once at the SSO hub; every other app of the hub then signs you in without asking again.</p>
<div class="actions"><a class="button" data-testid="sign-in" href="/auth/login?returnTo=%2F">Sign in</a>${other}</div></section>
<section><h2>This app</h2><dl><dt>Session store</dt><dd data-testid="store">${e(view.storeDescription)}</dd></dl></section>`,
    });
  }
  const s = view.session;
  const c = s.claims;
  return layout({
    appName: view.appName,
    accent: view.accent,
    title: 'Signed in',
    body: `<section><h2>Signed in as <span data-testid="user">${e(c.name ?? c.email ?? c.sub)}</span></h2><dl>
<dt>Subject</dt><dd data-testid="sub"><code>${e(c.sub)}</code></dd>
<dt>Email</dt><dd data-testid="email">${e(c.email ?? '—')}</dd>
<dt>Assurance</dt><dd data-testid="acr">${e(c.acr ?? '—')}${c.amr?.length ? ` (${e(c.amr.join(', '))})` : ''}</dd>
${c.auth_time ? `<dt>Authenticated</dt><dd>${when(c.auth_time)}</dd>` : ''}</dl></section>
<section><h2>This app's own session</h2><dl>
<dt>Session id</dt><dd>…<code data-testid="session-suffix">${e(s.id.slice(-8))}</code></dd>
<dt>Created</dt><dd data-testid="session-created">${when(s.createdAt)}</dd>
<dt>Ends when idle at</dt><dd data-testid="session-idle-expires">${when(s.idleExpiresAt)}</dd>
<dt>Ends at the latest</dt><dd data-testid="session-expires">${when(s.expiresAt)}</dd>
<dt>Hub session (sid)</dt><dd><code data-testid="session-sid">${e(s.sid ?? '—')}</code></dd>
<dt>Session store</dt><dd data-testid="store">${e(view.storeDescription)}</dd></dl></section>
<section><div class="actions">${other}
<form method="post" action="/auth/logout"><button class="secondary" data-testid="logout-local" type="submit">Log out of ${e(view.appName)}</button></form>
<form method="post" action="/auth/logout/global"><button data-testid="logout-global" type="submit">Log out everywhere</button></form>
</div></section>`,
  });
}
