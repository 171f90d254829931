import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkConfig } from '../config/check-config.ts';
import type { HubConfigInput } from '../config/hub-config.ts';
import { ConfigError } from '../errors/ssohub-error.ts';
import { html } from '../http/html.ts';
import { DEFAULT_PAGE_BRANDING, renderPage, setPageBranding } from '../http/render-page.ts';
import { HubRequest, runHubRequest } from '../request/hub-request.ts';
import { loadBranding } from './branding-assets.ts';
import { parseFrameTemplate } from './frame-template.ts';

const GOOD = `<!doctype html>
<html lang="{{lang}}" dir="{{dir}}" class="acme">
<head>{{head}}</head>
<body>
{{skipLink}}
<div class="acme-bar" title="{{productName}}">{{ productName }}</div>
{{main}}
<footer class="acme-foot"><a href="https://acme.example/help">Help</a> {{languagePicker}}</footer>
</body>
</html>`;

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ssohub-frame-'));
  await writeFile(join(dir, 'good.html'), GOOD);
  await writeFile(join(dir, 'bad.html'), '<html><body onload="x()"><script>alert(1)</script>{{main}} {{mian}}</body></html>');
});
afterEach(() => setPageBranding(DEFAULT_PAGE_BRANDING));

const problemsOf = (source: string) => parseFrameTemplate(source).problems;
const check = (branding: HubConfigInput['branding']) => checkConfig({ mode: 'development', publicUrl: 'https://login.example.com', branding }, { only: ['branding'] }).branding;

describe('branding.frameTemplate at startup', () => {
  it('accepts a template using the placeholders, spaces inside the braces allowed', () => {
    expect(problemsOf(GOOD)).toEqual([]);
    expect(check({ frameTemplate: join(dir, 'good.html') }).frameTemplate).toBe(join(dir, 'good.html'));
  });

  it('requires {{head}} and {{main}}, once each', () => {
    expect(problemsOf('<html><body>hi</body></html>')).toEqual(['must contain the placeholder {{head}}', 'must contain the placeholder {{main}}']);
    expect(problemsOf('<head>{{head}}</head>{{main}}{{main}}')).toEqual(['must contain the placeholder {{main}} only once (found 2)']);
  });

  it('refuses an unknown placeholder, naming the known ones', () => {
    expect(problemsOf('{{head}}{{main}}{{mian}}')).toEqual([expect.stringMatching(/^has an unknown placeholder \{\{mian\}\} \(known: \{\{lang\}\}, .*\{\{languagePicker\}\}\)$/)]);
  });

  it('refuses what the CSP forbids: scripts, event handlers, inline styles, javascript: URLs, <base>', () => {
    const base = '{{head}}{{main}}';
    expect(problemsOf(`${base}<script src="/x.js"></script>`)).toEqual([expect.stringContaining('must not contain <script>')]);
    expect(problemsOf(`${base}<SCRIPT>`)).toEqual([expect.stringContaining('must not contain <script>')]);
    expect(problemsOf(`${base}<div onclick="go()">`)).toEqual([expect.stringContaining('must not use inline event handlers such as onclick=')]);
    expect(problemsOf(`${base}<p style="color:red">`)).toEqual([expect.stringContaining('must not use style attributes')]);
    expect(problemsOf(`${base}<style>p{}</style>`)).toEqual([expect.stringContaining('must not contain <style>')]);
    expect(problemsOf(`${base}<a href="javascript:alert(1)">`)).toEqual([expect.stringContaining('must not contain javascript: URLs')]);
    expect(problemsOf(`${base}<base href="https://evil.example/">`)).toEqual([expect.stringContaining('must not contain <base>')]);
    // A word that merely looks like one is fine outside a tag.
    expect(problemsOf(`${base}<p>style="x" and onclick= are words here</p>`)).toEqual([]);
  });

  it('refuses a markup placeholder inside a tag', () => {
    expect(problemsOf('{{head}}{{main}}<div data-x="{{footer}}">')).toEqual([expect.stringContaining('must not put {{footer}} inside a tag')]);
  });

  it('names the option in every problem, and an unreadable file', () => {
    expect(() => check({ frameTemplate: join(dir, 'bad.html') })).toThrow(ConfigError);
    try {
      check({ frameTemplate: join(dir, 'bad.html') });
    } catch (err) {
      const problems = (err as ConfigError).problems;
      expect(problems.every((p) => p.startsWith('branding.frameTemplate '))).toBe(true);
      expect(problems.join('\n')).toMatch(/unknown placeholder \{\{mian\}\}/);
      expect(problems.join('\n')).toMatch(/must contain the placeholder \{\{head\}\}/);
      expect(problems.join('\n')).toMatch(/<script>/);
      expect(problems.join('\n')).toMatch(/onload=/);
    }
    expect(() => check({ frameTemplate: join(dir, 'missing.html') })).toThrow(/branding\.frameTemplate must name a readable file/);
  });
});

describe('a page in a frame template', () => {
  it('fills every placeholder, escaping the values, with the page’s language', () => {
    const branding = loadBranding(check({ productName: 'Acme "Login" <b>', frameTemplate: join(dir, 'good.html') })).page;
    const page = runHubRequest(
      () => renderPage({ title: 'Anmelden', body: html`<h1>Anmelden</h1>`, branding, path: '/login?flow=1' }),
      new HubRequest('r', { pickerCookie: 'de' }),
    );
    expect(page.startsWith('<!doctype html>\n<html lang="de" dir="ltr" class="acme">')).toBe(true);
    expect(page).toContain('<title>Anmelden · Acme &quot;Login&quot; &lt;b&gt;</title>');
    expect(page).toContain('<link rel="stylesheet" href="/assets/hub.css">');
    expect(page).toContain('<a class="skip" href="#main">Zum Inhalt springen</a>');
    expect(page).toContain('<div class="acme-bar" title="Acme &quot;Login&quot; &lt;b&gt;">Acme &quot;Login&quot; &lt;b&gt;</div>');
    expect(page).toContain('<main class="card" id="main">\n<h1>Anmelden</h1>\n</main>');
    expect(page).toContain('<a href="https://acme.example/help">Help</a> <form class="lang-picker"');
    expect(page).toContain('<input type="hidden" name="next" value="/login?flow=1">');
    expect(page).not.toContain('<header');
    expect(page).not.toContain('{{');
  });

  it('adds the doctype a template leaves out', () => {
    const parsed = parseFrameTemplate('<html><head>{{head}}</head><body>{{main}}</body></html>');
    const page = renderPage({ title: 't', body: html`x`, branding: { productName: 'Acme', frameTemplate: parsed.template! } });
    expect(page.startsWith('<!doctype html><html><head>')).toBe(true);
  });
});
