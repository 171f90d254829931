import { html, type SafeHtml } from './html.ts';

export const ASSET_CSS_PATH = '/assets/hub.css';

/**
 * The page shell every hub page shares: no JavaScript, one stylesheet from the hub's own origin
 * (so the CSP can forbid inline styles and scripts), a landmark structure for screen readers.
 */
export function renderPage({ title, body, brand = 'SSO Hub' }: { title: string; body: SafeHtml; brand?: string }): string {
  return `<!doctype html>${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="strict-origin-when-cross-origin">
<title>${title} · ${brand}</title>
<link rel="stylesheet" href="${ASSET_CSS_PATH}">
</head>
<body>
<header class="brand"><span class="brand-mark" aria-hidden="true"></span><span>${brand}</span></header>
<main class="card" id="main">
${body}
</main>
<footer class="foot">Protected by ${brand}. One sign-in for every app.</footer>
</body>
</html>`.value}`;
}
