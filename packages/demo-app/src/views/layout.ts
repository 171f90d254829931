import { escapeHtml } from '@ssohub/client';

/** Page is what every demo page needs: the app's name, accent colour and body HTML. */
export interface Page {
  appName: string;
  accent: string;
  title: string;
  body: string;
}

/**
 * layout wraps a page body in the demo's HTML shell: no JavaScript, one small stylesheet. Text
 * wraps between words (a word longer than the line still breaks rather than overflow); only
 * ids and tokens in <code>/<pre> may break anywhere, and a phone gets one-column <dl>s.
 */
export function layout(page: Page): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(page.title)} · ${escapeHtml(page.appName)}</title>
<style>
:root{--accent:${page.accent}}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,Segoe UI,sans-serif;color:#1f2933;background:#f5f7fa}
header{background:var(--accent);color:#fff;padding:1rem 1.5rem}header h1{margin:0;font-size:1.3rem}
main{max-width:44rem;margin:2rem auto;padding:0 1rem}
section{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.08);padding:1.25rem 1.5rem;margin-bottom:1.25rem}
h2{font-size:1.05rem;margin:0 0 .75rem}dl{display:grid;grid-template-columns:10rem minmax(0,1fr);gap:.35rem 1rem;margin:0}dt{color:#616e7c}dd{margin:0;min-width:0;overflow-wrap:break-word}
code{background:#f0f4f8;padding:.05rem .3rem;border-radius:3px;font-size:.9em}
code,pre{overflow-wrap:anywhere}pre{white-space:pre-wrap}
@media (max-width:30rem){dl{grid-template-columns:1fr;gap:0}dd{margin-bottom:.5rem}}
.actions{display:flex;gap:.75rem;flex-wrap:wrap;align-items:center}form{margin:0}
.button,button{display:inline-block;font:inherit;border:0;border-radius:6px;padding:.5rem 1rem;cursor:pointer;text-decoration:none;background:var(--accent);color:#fff}
button.secondary{background:#e4e7eb;color:#1f2933}a{color:var(--accent)}
</style></head>
<body><header><h1 data-testid="app-name">${escapeHtml(page.appName)}</h1></header><main>${page.body}</main></body></html>`;
}
