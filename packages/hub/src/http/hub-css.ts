/** The hub's only stylesheet, served from its own origin so the CSP needs no 'unsafe-inline'. */
export const HUB_CSS = `
:root{--bg:#f4f6fb;--card:#fff;--ink:#1b2333;--muted:#5b6579;--line:#d8deea;--accent:#2f5bea;--accent-ink:#fff;--err:#b42318;--err-bg:#fef3f2;--ok:#067647;--ok-bg:#ecfdf3;--info-bg:#eff4ff;--radius:12px;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#0f1420;--card:#171e2e;--ink:#e8ecf5;--muted:#a2acc2;--line:#2a3450;--accent:#6d8dff;--accent-ink:#0b1020;--err:#ff8a80;--err-bg:#2d1616;--ok:#6ee7a8;--ok-bg:#10281c;--info-bg:#172341}}
*{box-sizing:border-box}
html{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;background:var(--bg);color:var(--ink)}
body{margin:0;min-height:100vh;display:flex;flex-direction:column;align-items:center;padding:24px 16px}
.brand{display:flex;gap:10px;align-items:center;font-weight:650;letter-spacing:.2px;margin:8px 0 20px}
.brand-mark{width:22px;height:22px;border-radius:6px;background:linear-gradient(135deg,var(--accent),#8b5cf6)}
.card{width:100%;max-width:420px;background:var(--card);border:1px solid var(--line);border-radius:var(--radius);padding:28px 24px;box-shadow:0 1px 2px rgba(16,24,40,.06),0 8px 24px rgba(16,24,40,.06)}
h1{font-size:1.4rem;margin:0 0 6px}
.lead{color:var(--muted);margin:0 0 20px}
form{display:flex;flex-direction:column;gap:14px;margin:0}
fieldset{border:0;padding:0;margin:0;display:flex;flex-direction:column;gap:14px}
label{display:flex;flex-direction:column;gap:6px;font-weight:550;font-size:.95rem}
input[type=text],input[type=email],input[type=password],input[type=tel],input[type=number],input:not([type]){font:inherit;padding:10px 12px;border:1px solid var(--line);border-radius:8px;background:transparent;color:inherit}
input:focus-visible,button:focus-visible,a:focus-visible{outline:3px solid color-mix(in srgb,var(--accent) 45%,transparent);outline-offset:2px}
button{font:inherit;font-weight:600;padding:10px 14px;border-radius:8px;border:1px solid var(--accent);background:var(--accent);color:var(--accent-ink);cursor:pointer}
button.secondary{background:transparent;color:var(--accent)}
button.link{background:none;border:0;color:var(--accent);padding:0;text-decoration:underline;font-weight:500;align-self:flex-start}
.checkbox{flex-direction:row;align-items:center;gap:8px;font-weight:500}
.messages{list-style:none;padding:0;margin:0 0 16px;display:flex;flex-direction:column;gap:8px}
.msg{padding:10px 12px;border-radius:8px;background:var(--info-bg);font-size:.95rem}
.msg.error{background:var(--err-bg);color:var(--err)}
.msg.success{background:var(--ok-bg);color:var(--ok)}
.field-msg{font-size:.85rem;color:var(--err);font-weight:500}
.field-msg.info{color:var(--muted)}
.group{border-top:1px solid var(--line);padding-top:16px;margin-top:4px}
.group:first-of-type{border-top:0;padding-top:0;margin-top:0}
.links{display:flex;flex-wrap:wrap;gap:8px 16px;margin-top:20px;font-size:.95rem}
a{color:var(--accent)}
.muted{color:var(--muted)}
.foot{margin-top:24px;color:var(--muted);font-size:.85rem}
.code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;letter-spacing:.3em}
dl.kv{display:grid;grid-template-columns:auto 1fr;gap:6px 12px;margin:0 0 16px}
dl.kv dt{color:var(--muted)} dl.kv dd{margin:0;word-break:break-all}
ul.scopes{margin:0 0 16px;padding-left:20px}
.actions{display:flex;gap:10px;flex-wrap:wrap}
@media (max-width:480px){.card{padding:20px 16px;border-radius:10px}}
`;
