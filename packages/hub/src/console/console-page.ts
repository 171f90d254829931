import type { FastifyReply, FastifyRequest } from 'fastify';
import { html, type SafeHtml } from '../http/html.ts';
import { pickerNext } from '../http/render-page.ts';
import { directionOf, LOCALE_NAMES, LOCALES } from '../i18n/locales.ts';
import { currentLocale, type MessageKey, t, th } from '../i18n/translate.ts';
import { CONSOLE_PATH } from './console-cookie.ts';
import { CONSOLE_CSS_PATH, CONSOLE_CSS_VERSION } from './console-css.ts';
import { type Confirmation, confirmationBody, csrfField } from './console-html.ts';
import { findConsoleSession } from './console-request.ts';
import type { ConsoleNotice } from './console-sessions.ts';

/** The console's sections, in the navigation's order; a page names its own as `section`. */
export const CONSOLE_SECTIONS = [
  { id: 'overview', href: `${CONSOLE_PATH}`, label: 'console.nav.overview' },
  { id: 'clients', href: `${CONSOLE_PATH}/clients`, label: 'console.nav.clients' },
  { id: 'users', href: `${CONSOLE_PATH}/users`, label: 'console.nav.users' },
  { id: 'sessions', href: `${CONSOLE_PATH}/sessions`, label: 'console.nav.sessions' },
  { id: 'lockouts', href: `${CONSOLE_PATH}/lockouts`, label: 'console.nav.lockouts' },
  { id: 'backchannel', href: `${CONSOLE_PATH}/backchannel`, label: 'console.nav.backchannel' },
  { id: 'audit', href: `${CONSOLE_PATH}/audit`, label: 'console.nav.audit' },
] as const satisfies readonly { id: string; href: string; label: MessageKey }[];

export type ConsoleSection = (typeof CONSOLE_SECTIONS)[number]['id'];

/** Where the console's language picker sends its form (register-console.ts). */
export const CONSOLE_LANGUAGE_PATH = `${CONSOLE_PATH}/language`;

export interface ConsolePage {
  /** The page's name: its `<h1>` is the body's business, this is the window title. */
  title: string;
  body: SafeHtml;
  /** The navigation entry to mark as current. */
  section?: ConsoleSection;
  /** A narrow column (sign-in, confirmation and message pages). */
  narrow?: boolean;
}

/**
 * The console's page shell: the login pages' structure (lang, dir, skip link, landmarks, no
 * script, the hub's stylesheet from its own origin) with the console's navigation, who is signed
 * in with a sign-out button, the session's notice (shown once), and the language picker.
 */
export function renderConsolePage(request: FastifyRequest, page: ConsolePage, notice?: ConsoleNotice): string {
  const locale = currentLocale();
  const session = findConsoleSession(request);
  const title = t('console.frame.title', { title: page.title });
  const nav = session
    ? html`<nav class="console-nav" aria-label="${t('console.nav.label')}"><ul>${CONSOLE_SECTIONS.map(
        (s) => html`<li><a href="${s.href}"${s.id === page.section ? html` aria-current="page"` : ''}>${t(s.label)}</a></li>`,
      )}</ul></nav>
<div class="console-who"><span data-testid="console/who">${th('console.frame.signed_in_as', { name: session.name })}</span>
<form method="post" action="${CONSOLE_PATH}/sign-out">${csrfField(request)}<button type="submit" class="secondary" data-testid="console/sign-out">${t('console.frame.sign_out')}</button></form></div>`
    : '';
  const shownNotice = notice ?? session?.notice;
  const noticeHtml = shownNotice
    ? html`<p class="msg success" role="status" data-testid="console/notice">${t(shownNotice.key as MessageKey, shownNotice.values)}</p>`
    : '';
  return `<!doctype html>${html`<html lang="${locale}" dir="${directionOf(locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<meta name="robots" content="noindex">
<title>${title}</title>
<link rel="stylesheet" href="${CONSOLE_CSS_PATH}?v=${CONSOLE_CSS_VERSION}">
</head>
<body class="console">
<a class="skip" href="#main">${t('frame.skip_to_content')}</a>
<header class="console-top"><a class="brand" href="${CONSOLE_PATH}"><span class="brand-mark" aria-hidden="true"></span><span>${t('console.frame.product')}</span></a>
${nav}</header>
<div class="console-main${page.narrow ? ' narrow' : ''}">
<main class="card" id="main">
${noticeHtml}${page.body}
</main>
</div>
<footer class="foot">${languagePicker(request)}</footer>
</body>
</html>`.value}`;
}

/** Sends a console page (HTML, never cached: every page shows what only an admin may see). */
export function sendConsolePage(request: FastifyRequest, reply: FastifyReply, page: ConsolePage & { status?: number }): FastifyReply {
  return reply
    .status(page.status ?? 200)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(renderConsolePage(request, page));
}

/** The login pages' picker, sent to the console's own language route (open, like the sign-in page). */
function languagePicker(request: FastifyRequest): SafeHtml {
  const locale = currentLocale();
  const next = request.method === 'GET' ? pickerNext(request.url) : undefined;
  return html`<form class="lang-picker" method="get" action="${CONSOLE_LANGUAGE_PATH}" data-testid="language-picker">
<label class="lang-label">${th('frame.language.label')} <select name="lang" autocomplete="off">${LOCALES.map(
    (l) => html`<option value="${l}" lang="${l}"${l === locale ? html` selected` : ''}>${LOCALE_NAMES[l]}</option>`,
  )}</select></label>
${next?.startsWith(CONSOLE_PATH) ? html`<input type="hidden" name="next" value="${next}">\n` : ''}<button type="submit" class="secondary lang-submit">${th('frame.language.submit')}</button>
</form>`;
}

/** Sends the confirmation page of a change (console-html.ts confirmationBody). */
export function sendConfirmation(request: FastifyRequest, reply: FastifyReply, confirmation: Confirmation & { section?: ConsoleSection }): FastifyReply {
  const { section, ...c } = confirmation;
  return sendConsolePage(request, reply, { title: c.title, body: confirmationBody(request, c), narrow: true, ...(section ? { section } : {}) });
}
