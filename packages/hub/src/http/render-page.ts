import type { PageBranding } from '../branding/branding-assets.ts';
import { fillFrameTemplate, type FramePlaceholder } from '../branding/frame-template.ts';
import { directionOf, LOCALE_NAMES, LOCALES } from '../i18n/locales.ts';
import { currentLocale, t, th } from '../i18n/translate.ts';
import { currentHubRequest, type HubRequest } from '../request/hub-request.ts';
import { html, type SafeHtml } from './html.ts';

export const ASSET_CSS_PATH = '/assets/hub.css';

/** Where the language picker sends its form (i18n/register-language-picker.ts). */
export const LANGUAGE_PATH = '/language';

/** The branding when none is configured: what the hub showed before issue 20 (the footer in the page's language). */
export const DEFAULT_PAGE_BRANDING: Readonly<PageBranding> = Object.freeze({ productName: 'SSO Hub' });

let pageBranding: Readonly<PageBranding> = DEFAULT_PAGE_BRANDING;

/**
 * Sets the branding of every page that does not pass its own. Called once, by buildApp (app.ts),
 * at startup. A module-level value rather than an option threaded to each renderPage call because
 * some callers (the flow and consent pages) are built far from the configuration; pages that can
 * pass `branding` explicitly may. The last hub built in a process wins, which only matters to
 * tests that build several hubs with different branding: they pass `branding` or set it here.
 */
export function setPageBranding(branding: Readonly<PageBranding>): void {
  pageBranding = branding;
}

/** The branding pages use when none is passed (logout-pages.ts reads it for its CSP). */
export function currentPageBranding(): Readonly<PageBranding> {
  return pageBranding;
}

// The address of the page each request renders, for the language picker's `next`: recorded by
// the picker's onRequest hook (register-language-picker.ts) rather than passed by every caller of
// renderPage, most of which (the provider's own pages among them) never see the request's URL.
const pagePaths = new WeakMap<HubRequest, string>();

/**
 * Records the current request's address as the page to come back to after picking a language.
 * Kept raw: most requests render no page, so it is read (pickerNext) only when one is rendered.
 */
export function recordPagePath(url: string): void {
  const request = currentHubRequest();
  if (request) pagePaths.set(request, url);
}

/** Longest `next` the picker carries: a page address, never a payload. */
const MAX_NEXT = 2048;

/**
 * The address the picker comes back to: the page's path and query, without `ui_locales` (which
 * would override the choice the user just made). Undefined when there is none worth keeping.
 */
export function pickerNext(url: string): string | undefined {
  if (!url.startsWith('/') || url.startsWith('//') || url.startsWith('/\\') || url.startsWith(LANGUAGE_PATH)) return undefined;
  const at = url.indexOf('?');
  let next = url;
  if (at >= 0) {
    const query = new URLSearchParams(url.slice(at + 1));
    query.delete('ui_locales');
    const rest = query.toString();
    next = url.slice(0, at) + (rest ? `?${rest}` : '');
  }
  return next.length <= MAX_NEXT ? next : undefined;
}

/**
 * The page shell every hub page shares: no JavaScript, stylesheets from the hub's own origin
 * (so the CSP can forbid inline styles and scripts), a landmark structure for screen readers,
 * `lang` and `dir` of the page's language. The product name, logo, extra stylesheet, footer and
 * frame template come from `branding` (the `branding` options; branding/branding-assets.ts);
 * colours come through the hub's stylesheet. `path` is the page's address for the language
 * picker; by default, the request's (recordPagePath).
 */
export function renderPage({ title, body, branding = pageBranding, path }: { title: string; body: SafeHtml; branding?: Readonly<PageBranding>; path?: string }): string {
  const locale = currentLocale();
  const name = branding.productName;
  const request = currentHubRequest();
  const recorded = request ? pagePaths.get(request) : undefined;
  const next = path !== undefined ? pickerNext(path) : recorded !== undefined ? pickerNext(recorded) : undefined;
  const mark = branding.logoSrc
    ? html`<img class="brand-logo" src="${branding.logoSrc}" alt="" height="26">`
    : html`<span class="brand-mark" aria-hidden="true"></span>`;
  const footerText =
    branding.footer === undefined
      ? t('frame.footer.default', { product: name })
      : typeof branding.footer === 'string'
        ? branding.footer
        : html`<nav aria-label="${t('frame.footer.links_label')}" class="foot-links">${branding.footer.map((l) => html`<a href="${l.href}">${l.text}</a>`)}</nav>`;
  const picker = languagePicker(next);
  const values: Record<FramePlaceholder, SafeHtml | string> = {
    lang: locale,
    dir: directionOf(locale),
    title: t('frame.title', { title, product: name }),
    productName: name,
    head: html`<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="strict-origin-when-cross-origin">
<title>${t('frame.title', { title, product: name })}</title>
<link rel="stylesheet" href="${branding.hubStylesheetHref ?? ASSET_CSS_PATH}">
${branding.stylesheetHref ? html`<link rel="stylesheet" href="${branding.stylesheetHref}">\n` : ''}`,
    skipLink: html`<a class="skip" href="#main">${t('frame.skip_to_content')}</a>`,
    header: html`<header class="brand">${mark}<span>${name}</span></header>`,
    main: html`<main class="card" id="main">
${body}
</main>`,
    footer: html`<footer class="foot"><div class="foot-text">${footerText}</div>${picker}</footer>`,
    languagePicker: picker,
  };
  if (branding.frameTemplate) {
    const filled = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, html`${v}`.value])) as Record<FramePlaceholder, string>;
    return fillFrameTemplate(branding.frameTemplate, filled);
  }
  const v = values;
  return `<!doctype html>${html`<html lang="${v.lang}" dir="${v.dir}">
<head>
${v.head}</head>
<body>
${v.skipLink}
${v.header}
${v.main}
${v.footer}
</body>
</html>`.value}`;
}

/**
 * The language picker: a GET form to /language that works without JavaScript. Each language is
 * named in itself and marked with its own `lang`, so a screen reader pronounces it right; the
 * label (around the select, so no id can clash when a frame template shows the picker twice) is
 * in the page's language.
 */
function languagePicker(next: string | undefined): SafeHtml {
  const locale = currentLocale();
  return html`<form class="lang-picker" method="get" action="${LANGUAGE_PATH}" data-testid="language-picker">
<label class="lang-label">${th('frame.language.label')} <select name="lang" autocomplete="off">${LOCALES.map(
    (l) => html`<option value="${l}" lang="${l}"${l === locale ? html` selected` : ''}>${LOCALE_NAMES[l]}</option>`,
  )}</select></label>
${next ? html`<input type="hidden" name="next" value="${next}">\n` : ''}<button type="submit" class="secondary lang-submit">${th('frame.language.submit')}</button>
</form>`;
}
