import type { PageBranding } from '../branding/branding-assets.ts';
import { html, type SafeHtml } from './html.ts';

export const ASSET_CSS_PATH = '/assets/hub.css';

/** The branding when none is configured: what the hub showed before issue 20. */
export const DEFAULT_PAGE_BRANDING: Readonly<PageBranding> = Object.freeze({
  productName: 'SSO Hub',
  footer: 'Protected by SSO Hub. One sign-in for every app.',
});

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

/**
 * The page shell every hub page shares: no JavaScript, stylesheets from the hub's own origin
 * (so the CSP can forbid inline styles and scripts), a landmark structure for screen readers.
 * The product name, logo, extra stylesheet and footer come from `branding` (the `branding`
 * options; branding/branding-assets.ts); colours come through the hub's stylesheet.
 */
export function renderPage({ title, body, branding = pageBranding }: { title: string; body: SafeHtml; branding?: Readonly<PageBranding> }): string {
  const name = branding.productName;
  const mark = branding.logoSrc
    ? html`<img class="brand-logo" src="${branding.logoSrc}" alt="" height="26">`
    : html`<span class="brand-mark" aria-hidden="true"></span>`;
  const footer =
    typeof branding.footer === 'string'
      ? branding.footer
      : html`<nav aria-label="Footer links" class="foot-links">${branding.footer.map((l) => html`<a href="${l.href}">${l.text}</a>`)}</nav>`;
  return `<!doctype html>${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="strict-origin-when-cross-origin">
<title>${title} · ${name}</title>
<link rel="stylesheet" href="${ASSET_CSS_PATH}">
${branding.stylesheetHref ? html`<link rel="stylesheet" href="${branding.stylesheetHref}">\n` : ''}</head>
<body>
<header class="brand">${mark}<span>${name}</span></header>
<main class="card" id="main">
${body}
</main>
<footer class="foot">${footer}</footer>
</body>
</html>`.value}`;
}
