/** The hub's only stylesheet, served from its own origin so the CSP needs no 'unsafe-inline'. */
export const HUB_CSS = `
:root{--bg:#f3f5fa;--card:#fff;--ink:#172033;--muted:#5b6579;--line:#d9dfeb;--field:#fff;--accent:#2f5bea;--accent-hover:#2449c7;--accent-ink:#fff;--soft:#eef2fe;--err:#b42318;--err-bg:#fef3f2;--err-line:#fecdca;--ok:#067647;--ok-bg:#ecfdf3;--ok-line:#abefc6;--info:#1d3a8a;--info-bg:#eff4ff;--info-line:#c7d7fe;--warn:#93370d;--warn-bg:#fffaeb;--radius:14px;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#0e131f;--card:#161d2d;--ink:#e8ecf5;--muted:#a2acc2;--line:#2a3450;--field:#0f1522;--accent:#7b97ff;--accent-hover:#9bb0ff;--accent-ink:#0b1020;--soft:#1b2540;--err:#ffb4ab;--err-bg:#2d1616;--err-line:#5c2420;--ok:#75e0a7;--ok-bg:#10281c;--ok-line:#1f5136;--info:#c7d7fe;--info-bg:#172341;--info-line:#2b3d6e;--warn:#fec84b;--warn-bg:#2a2110}}
*{box-sizing:border-box}
html{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;background:var(--bg);color:var(--ink);-webkit-text-size-adjust:100%}
body{margin:0;min-height:100vh;display:flex;flex-direction:column;align-items:center;padding:32px 16px 24px}
.skip{position:absolute;left:-999px}.skip:focus{left:16px;top:8px;background:var(--card);padding:6px 10px;border-radius:6px}
.brand{display:flex;gap:10px;align-items:center;font-weight:700;letter-spacing:.2px;margin:0 0 22px;font-size:1.05rem}
.brand-logo{display:block;height:26px;width:auto;max-width:160px}
.client-logo{display:block;width:40px;height:40px;object-fit:contain;border-radius:8px;margin:0 0 12px}
.brand-mark{width:26px;height:26px;border-radius:8px;background:linear-gradient(135deg,var(--accent),#8b5cf6);box-shadow:inset 0 0 0 2px rgba(255,255,255,.25)}
.card{overflow-wrap:anywhere;width:100%;max-width:440px;background:var(--card);border:1px solid var(--line);border-radius:var(--radius);padding:32px 28px;box-shadow:0 1px 2px rgba(16,24,40,.05),0 12px 32px rgba(16,24,40,.07)}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 6px;letter-spacing:-.01em}
.lead{color:var(--muted);margin:0 0 22px}
.destination{margin:-12px 0 20px;font-size:.9rem;color:var(--muted)}
form{display:flex;flex-direction:column;gap:16px;margin:0}
.group-form+.group-form{margin-top:16px}
fieldset{border:0;padding:0;margin:0;min-width:0;display:flex;flex-direction:column;gap:16px}
fieldset:empty{display:none}
.group-title{font-weight:650;font-size:1.05rem;padding:0;margin:0 0 4px}
.flow-settings .group-form+.group-form{border-top:1px solid var(--line);padding-top:20px;margin-top:20px}
.field{display:flex;flex-direction:column;gap:6px}
label{font-weight:560;font-size:.94rem}
input[type=text],input[type=email],input[type=password],input[type=tel],input[type=number],input[type=url],input[type=date],input[type=datetime-local]{font:inherit;width:100%;padding:11px 12px;border:1px solid var(--line);border-radius:10px;background:var(--field);color:inherit;transition:border-color .15s,box-shadow .15s}
input:hover{border-color:color-mix(in srgb,var(--accent) 35%,var(--line))}
input[aria-invalid=true]{border-color:var(--err)}
input.code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:1.25rem;letter-spacing:.35em;text-align:center;padding:12px}
input:focus-visible,select:focus-visible,button:focus-visible,a:focus-visible{outline:3px solid color-mix(in srgb,var(--accent) 45%,transparent);outline-offset:2px}
button,.button-link{font:inherit;font-weight:600;display:inline-flex;align-items:center;justify-content:center;gap:8px;min-height:44px;padding:10px 16px;border-radius:10px;border:1px solid var(--accent);background:var(--accent);color:var(--accent-ink);cursor:pointer;text-decoration:none;text-align:center}
button:hover,.button-link:hover{background:var(--accent-hover);border-color:var(--accent-hover)}
button.secondary,.button-link.secondary{background:transparent;color:var(--accent);border-color:var(--line)}
button.secondary:hover,.button-link.secondary:hover{background:var(--soft);border-color:var(--accent)}
button[disabled]{opacity:.55;cursor:not-allowed}
fieldset>button{width:100%}
.secondary-actions{display:flex;flex-wrap:wrap;gap:10px}
.secondary-actions>button{flex:1 1 auto}
.nav .secondary-actions>button{flex:0 0 auto;border:0;background:none;color:var(--muted);min-height:0;padding:4px 0;font-weight:500;text-decoration:underline;text-underline-offset:3px}
.nav .secondary-actions>button:hover{color:var(--accent);background:none}
.or{display:flex;align-items:center;gap:12px;color:var(--muted);font-size:.85rem;text-transform:uppercase;letter-spacing:.08em}
.or::before,.or::after{content:"";flex:1;border-top:1px solid var(--line)}
.checkbox{display:flex;flex-direction:row;align-items:center;gap:8px;font-weight:500}
.messages{list-style:none;padding:0;margin:0 0 20px;display:flex;flex-direction:column;gap:8px}
.msg{padding:11px 14px;border-radius:10px;background:var(--info-bg);color:var(--info);border:1px solid var(--info-line);font-size:.94rem}
.msg.error{background:var(--err-bg);color:var(--err);border-color:var(--err-line)}
.msg.success{background:var(--ok-bg);color:var(--ok);border-color:var(--ok-line)}
.field-messages{display:flex;flex-direction:column;gap:2px}
.field-msg{margin:0;font-size:.86rem;color:var(--err);font-weight:500}
.field-msg.info{color:var(--muted);font-weight:400}
.node-text p,.node-img{margin:0}
.node-img{text-align:center}
.node-text code.code{display:block;margin-top:6px;padding:10px 12px;background:var(--soft);border-radius:8px;overflow-wrap:anywhere;letter-spacing:.15em;text-align:center}
.secrets{display:grid;grid-template-columns:repeat(2,1fr);gap:6px;padding:0;list-style:none}
.secrets{margin:0}.secrets code{display:block;padding:6px 8px;background:var(--soft);border-radius:6px;text-align:center;font-family:ui-monospace,SFMono-Regular,Menlo,monospace;letter-spacing:.12em}
.backup-codes{display:flex;flex-direction:column;gap:10px}.group-intro{margin:0;font-size:.94rem;color:var(--muted)}
.links{display:flex;flex-wrap:wrap;justify-content:center;gap:8px 18px;margin-top:24px;padding-top:18px;border-top:1px solid var(--line);font-size:.94rem}
a{color:var(--accent);text-underline-offset:3px}
.muted{color:var(--muted)}
.foot{margin-top:24px;color:var(--muted);font-size:.85rem;text-align:center}
.foot-links{display:flex;flex-wrap:wrap;justify-content:center;gap:6px 16px}
.foot-links a{color:var(--muted)}
.lang-picker{flex-direction:row;flex-wrap:wrap;align-items:center;justify-content:center;gap:8px;margin-top:14px}
.lang-label{display:inline-flex;align-items:center;gap:8px;font-weight:400;font-size:.85rem;color:var(--muted)}
.lang-picker select{font:inherit;font-size:.85rem;color:var(--ink);background:var(--field);border:1px solid var(--line);border-radius:8px;min-height:32px;padding:4px 8px;max-width:100%}
.lang-picker .lang-submit{min-height:32px;padding:4px 12px;font-size:.85rem;font-weight:500}
.code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;letter-spacing:.3em}
dl.kv{display:grid;grid-template-columns:auto 1fr;gap:8px 14px;margin:0 0 22px;padding:14px 16px;background:var(--soft);border-radius:10px}
dl.kv dt{color:var(--muted)} dl.kv dd{margin:0;word-break:break-word}
.badge{display:inline-block;margin-left:6px;padding:1px 8px;border-radius:999px;font-size:.78rem;font-weight:600;vertical-align:1px}
.badge.ok{background:var(--ok-bg);color:var(--ok)}.badge.warn{background:var(--warn-bg);color:var(--warn)}
ul.scopes{margin:0 0 16px;padding-left:20px}
.account-list{list-style:none;padding:0;margin:0 0 16px;display:flex;flex-direction:column;gap:12px}
.account-list>li{border:1px solid var(--line);border-radius:10px;padding:12px 14px}
.account-list p{margin:0 0 6px}
.account-list form{margin-top:6px}
section+section{margin-top:24px}
.actions{display:flex;gap:10px;flex-wrap:wrap}
.actions>*{flex:1 1 auto}
.error-mark{width:44px;height:44px;border-radius:50%;display:grid;place-items:center;background:var(--err-bg);color:var(--err);font-weight:800;font-size:1.4rem;margin-bottom:14px;border:1px solid var(--err-line)}
.reference{font-size:.82rem;margin:20px 0 0}
.providers>.provider-button{width:100%;justify-content:flex-start;color:var(--ink)}
.provider-logo{display:block;flex:0 0 auto;width:24px;height:24px;object-fit:contain}
.provider-mark{display:inline-grid;place-items:center;flex:0 0 auto;width:26px;height:26px;border-radius:6px;background:var(--soft);color:var(--accent);font-weight:700}
.providers-lead,.providers-state{margin:0;font-size:.94rem}
@media (max-width:480px){body{padding:16px 10px}.card{padding:24px 18px;border-radius:12px}h1{font-size:1.35rem}}
`;
