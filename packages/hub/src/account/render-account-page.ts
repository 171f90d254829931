/**
 * Owns the account page's markup (issue #20): the signed-in devices, the apps holding access and
 * the links to security settings, each action a plain POST form (no JavaScript) carrying the CSRF
 * token. Pure: the routes (register-account-page.ts) gather what it shows.
 */
import { html, type SafeHtml } from '../http/html.ts';
import { currentLocale, type MessageKey, t, th } from '../i18n/translate.ts';
import { describeDevice } from './describe-device.ts';

export interface DeviceView {
  /** Kratos session id. */
  id: string;
  /** The session of the browser looking at the page. */
  current: boolean;
  userAgent: string | undefined;
  ip: string | undefined;
  /** ISO time of the sign-in. */
  signedInAt: string | undefined;
}

export interface AppView {
  clientId: string;
  name: string;
  /** Epoch seconds. */
  grantedAt: number | undefined;
  scopes: string[];
}

export type NoticeView =
  | { kind: 'device_signed_out' | 'device_not_found' }
  | { kind: 'others_signed_out'; count: number }
  | { kind: 'app_removed' | 'app_not_found'; appName: string };

export interface AccountPageView {
  email: string | undefined;
  csrf: string;
  devices: DeviceView[];
  apps: AppView[];
  notice?: NoticeView | undefined;
}

const SCOPE_TEXT: Record<string, MessageKey> = {
  openid: 'bridge.consent.scope.openid',
  email: 'bridge.consent.scope.email',
  profile: 'bridge.consent.scope.profile',
  offline_access: 'bridge.consent.scope.offline_access',
};

export function accountPageTitle(): string {
  return t('account.title');
}

export function renderAccountBody(view: AccountPageView): SafeHtml {
  const others = view.devices.filter((d) => !d.current);
  return html`<h1>${t('account.title')}</h1>
<p class="lead" data-testid="account/lead">${view.email ? th('account.lead', { email: html`<strong>${view.email}</strong>` }) : t('account.lead_no_email')}</p>
${view.notice ? renderNotice(view.notice) : ''}
<section aria-labelledby="account-devices" data-testid="account/sessions">
<h2 id="account-devices" class="group-title">${t('account.devices.heading')}</h2>
<p class="muted">${t('account.devices.intro')}</p>
<ul class="account-list">${view.devices.map((d) => renderDevice(d, view.csrf))}</ul>
${
  others.length
    ? html`<form action="/account/sessions/revoke-others" method="post" data-testid="account/revoke-others-form">
<input type="hidden" name="csrf" value="${view.csrf}">
<button type="submit" class="secondary" data-testid="account/revoke-others">${t('account.devices.revoke_others')}</button>
</form>`
    : html`<p class="muted" data-testid="account/no-other-sessions">${t('account.devices.none_other')}</p>`
}
</section>
<section aria-labelledby="account-apps" data-testid="account/apps">
<h2 id="account-apps" class="group-title">${t('account.apps.heading')}</h2>
${
  view.apps.length
    ? html`<p class="muted">${t('account.apps.intro')}</p>
<ul class="account-list">${view.apps.map((a, i) => renderApp(a, i, view.csrf))}</ul>`
    : html`<p class="muted" data-testid="account/no-apps">${t('account.apps.none')}</p>`
}
</section>
<section aria-labelledby="account-security" data-testid="account/security">
<h2 id="account-security" class="group-title">${t('account.security.heading')}</h2>
<nav class="links" aria-labelledby="account-security"><a href="/settings" data-testid="account/link/settings">${t('account.security.settings')}</a><a href="/logout" data-testid="account/link/logout">${t('account.security.logout')}</a></nav>
</section>`;
}

function renderDevice(d: DeviceView, csrf: string): SafeHtml {
  const name = deviceName(d.userAgent);
  const when = d.signedInAt ? formatTime(Date.parse(d.signedInAt)) : undefined;
  return html`<li data-testid="account/session/${d.id}">
<p><strong id="device-${d.id}">${name}</strong>${d.current ? html` <span class="badge ok" data-testid="account/this-device">${t('account.devices.this_device')}</span>` : ''}</p>
<p class="muted">${when ? t('account.devices.signed_in_at', { time: when }) : ''}${when && d.ip ? ' · ' : ''}${d.ip ? t('account.devices.ip', { ip: d.ip }) : ''}</p>
${
  d.current
    ? ''
    : html`<form action="/account/sessions/${d.id}/revoke" method="post">
<input type="hidden" name="csrf" value="${csrf}">
<button type="submit" class="secondary" data-testid="account/revoke-session/${d.id}" aria-describedby="device-${d.id}">${t('account.devices.revoke')}</button>
</form>`
}
</li>`;
}

function renderApp(a: AppView, i: number, csrf: string): SafeHtml {
  const scopes = a.scopes.map((s) => (Object.hasOwn(SCOPE_TEXT, s) ? t(SCOPE_TEXT[s]!) : t('bridge.consent.scope.other', { scope: s })));
  return html`<li data-testid="account/app/${a.clientId}">
<p><strong id="app-${i}">${a.name}</strong></p>
${a.grantedAt !== undefined ? html`<p class="muted">${t('account.apps.granted_at', { time: formatTime(a.grantedAt * 1000) })}</p>` : ''}
${scopes.length ? html`<p>${t('account.apps.can')}</p><ul class="scopes">${scopes.map((s) => html`<li>${s}</li>`)}</ul>` : ''}
<form action="/account/apps/${encodeURIComponent(a.clientId)}/revoke" method="post">
<input type="hidden" name="csrf" value="${csrf}">
<button type="submit" class="secondary" data-testid="account/revoke-app/${a.clientId}" aria-describedby="app-${i}">${t('account.apps.remove')}</button>
</form>
</li>`;
}

function renderNotice(n: NoticeView): SafeHtml {
  const text =
    n.kind === 'others_signed_out'
      ? t('account.notice.others_signed_out', { count: n.count })
      : n.kind === 'app_removed' || n.kind === 'app_not_found'
        ? th(`account.notice.${n.kind}`, { app: html`<strong>${n.appName}</strong>` })
        : t(`account.notice.${n.kind}`);
  const kind = n.kind === 'device_not_found' || n.kind === 'app_not_found' ? 'info' : 'success';
  return html`<div class="messages"><div class="msg ${kind}" role="status" data-testid="account/notice/${n.kind}">${text}</div></div>`;
}

/** "Firefox on Windows", "Firefox", "Unknown device": product names as they are, the rest translated. */
export function deviceName(userAgent: string | undefined): string {
  const { browser, os } = describeDevice(userAgent);
  if (browser && os) return t('account.device.browser_on_os', { browser, os });
  if (browser) return browser;
  if (os) return t('account.device.unknown_browser_on_os', { os });
  return t('account.device.unknown');
}

/** A moment in the page's language, in UTC (the server does not know the browser's zone). */
function formatTime(ms: number): string {
  return new Intl.DateTimeFormat(currentLocale(), { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short' }).format(ms);
}
