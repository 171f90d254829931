import { createHash } from 'node:crypto';
import { HUB_CSS } from '../http/hub-css.ts';

/**
 * The console's own additions to the hub's stylesheet: a wider page, a navigation bar that wraps,
 * tables that turn into one card per row on a phone (each cell labelled by its column, from the
 * cell's data-label), and form controls the login pages do not use. Tap targets stay 44 px high.
 */
const CONSOLE_EXTRA_CSS = `
body.console{align-items:stretch;padding:0 0 24px}
.console-top{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:8px 16px;padding:12px 20px;background:var(--card);border-bottom:1px solid var(--line)}
.console-top .brand{margin:0;color:var(--ink);text-decoration:none}
.console-nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:4px;margin:0;padding:0}
.console-nav a{display:inline-flex;align-items:center;min-height:44px;padding:8px 12px;border-radius:8px;text-decoration:none;color:var(--ink)}
.console-nav a:hover{background:var(--soft)}
.console-nav a[aria-current=page]{background:var(--soft);color:var(--accent);font-weight:650}
.console-who{display:flex;flex-wrap:wrap;align-items:center;gap:8px;font-size:.9rem;color:var(--muted)}
.console-who form{flex-direction:row}
.console-main{width:100%;max-width:1100px;margin:24px auto 0;padding:0 16px}
.console-main .card{max-width:none}
.console-main.narrow{max-width:520px}
.console .foot{align-self:center}
h2{font-size:1.15rem;margin:24px 0 10px}
input[type=search],textarea,select{font:inherit;width:100%;padding:10px 12px;border:1px solid var(--line);border-radius:10px;background:var(--field);color:inherit;min-height:44px}
textarea{min-height:6em;font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.9rem}
.hint{margin:0;font-size:.86rem;color:var(--muted)}
.table-wrap{overflow-x:auto}
table.data{width:100%;border-collapse:collapse;font-size:.94rem;overflow-wrap:break-word}
table.data caption{text-align:left;font-weight:650;padding:0 0 8px}
table.data th,table.data td{text-align:left;vertical-align:top;padding:10px 12px;border-bottom:1px solid var(--line)}
table.data th{font-size:.82rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
table.data td form{display:inline-flex}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.9em;overflow-wrap:anywhere}
.filters{display:grid;grid-template-columns:repeat(auto-fit,minmax(180px,1fr));gap:12px;align-items:end;margin-bottom:18px}
.filters .actions{grid-column:1/-1}
.pager{display:flex;justify-content:space-between;gap:10px;margin-top:16px}
.toolbar{display:flex;flex-wrap:wrap;gap:10px;margin:0 0 18px}
button.danger,.button-link.danger{background:var(--err);border-color:var(--err);color:#fff}
button.danger:hover{background:color-mix(in srgb,var(--err) 85%,#000);border-color:var(--err)}
.secret{display:block;padding:12px;background:var(--soft);border-radius:8px;font-family:ui-monospace,SFMono-Regular,Menlo,monospace;overflow-wrap:anywhere}
.status-ok{color:var(--ok);font-weight:650}.status-warn{color:var(--warn);font-weight:650}.status-fail{color:var(--err);font-weight:650}
@media (prefers-color-scheme:dark){button.danger,.button-link.danger{color:#1b0b0b}}
@media (max-width:720px){
table.data thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
table.data,table.data tbody,table.data tr,table.data td{display:block;width:100%}
table.data caption{display:block;width:100%}
table.data tr{border:1px solid var(--line);border-radius:10px;margin-bottom:12px;padding:6px 0}
table.data td{border:0;padding:6px 12px}
table.data td[data-label]::before{content:attr(data-label);display:block;font-size:.78rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.console-top{padding:10px 12px}.console-main{padding:0 8px}
dl.kv{grid-template-columns:1fr;gap:2px}dl.kv dd{margin-bottom:8px}
}
`;

/** The console's stylesheet, served at CONSOLE_CSS_PATH on the admin listener. */
export const CONSOLE_CSS = HUB_CSS + CONSOLE_EXTRA_CSS;
export const CONSOLE_CSS_VERSION = createHash('sha256').update(CONSOLE_CSS).digest('hex').slice(0, 16);
export const CONSOLE_CSS_PATH = '/console/assets/console.css';
