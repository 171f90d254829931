import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp, type Hub } from '../app.ts';
import { checkConfig } from '../config/check-config.ts';
import type { HubConfigInput } from '../config/hub-config.ts';
import { createLogger } from '../http/create-logger.ts';
import { DEFAULT_PAGE_BRANDING, setPageBranding } from '../http/render-page.ts';

// The branding as the browser gets it from a built hub: pages, CSP, stylesheet, assets.

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>';
const hubs: Hub[] = [];

async function hubWith(branding: HubConfigInput['branding']): Promise<Hub> {
  const config = checkConfig({
    mode: 'development',
    publicUrl: 'http://login.localhost:4000',
    store: { kind: 'memory' },
    kratos: { publicUrl: 'http://127.0.0.1:9', adminUrl: 'http://127.0.0.1:9' },
    admin: { token: 'admin-token-0123456789abcdefghij' },
    bridge: { cookieKeys: ['test-cookie-key-0123456789abcdefghijklmnop'] },
    branding,
  });
  const hub = await buildApp(config, { log: createLogger('silent', { write: () => {} }) });
  hubs.push(hub);
  return hub;
}

afterAll(async () => {
  for (const hub of hubs) await hub.close();
  setPageBranding(DEFAULT_PAGE_BRANDING);
});

/** A page of the hub: the 404 page, rendered by renderPage like every other. */
const page = (hub: Hub) => hub.app.inject({ method: 'GET', url: '/nowhere', headers: { accept: 'text/html' } });

describe('a hub built with branding', () => {
  it('serves the logo and stylesheet files under hashed paths, and the colours in its stylesheet', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ssohub-branding-app-'));
    await writeFile(join(dir, 'logo.svg'), SVG);
    await writeFile(join(dir, 'acme.css'), '.card{border-radius:0}');
    const hub = await hubWith({
      productName: 'Acme Login',
      logo: join(dir, 'logo.svg'),
      stylesheet: join(dir, 'acme.css'),
      colors: { light: { accent: '#0a7' }, dark: { accent: 'hsl(160, 70%, 55%)' } },
      footer: 'Acme <b>Inc.</b>',
    });
    const res = await page(hub);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'");
    expect(res.body).toMatch(/<title>[^<]* · Acme Login<\/title>/);
    expect(res.body).toContain('<footer class="foot"><div class="foot-text">Acme &lt;b&gt;Inc.&lt;/b&gt;</div>');
    const logo = /<img class="brand-logo" src="(\/assets\/logo-[0-9a-f]{16}\.svg)"/.exec(res.body)?.[1];
    const sheet = /<link rel="stylesheet" href="(\/assets\/branding-[0-9a-f]{16}\.css)">/.exec(res.body)?.[1];
    expect(logo).toBeDefined();
    expect(sheet).toBeDefined();

    const svg = await hub.app.inject({ method: 'GET', url: logo! });
    expect(svg.statusCode).toBe(200);
    expect(svg.headers['content-type']).toBe('image/svg+xml');
    expect(svg.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(svg.headers['content-security-policy']).toContain('sandbox');
    expect(svg.body).toBe(SVG);
    const css = await hub.app.inject({ method: 'GET', url: sheet! });
    expect(css.body).toBe('.card{border-radius:0}');
    // The page links the hub's stylesheet by its content hash: kept for good at that address,
    // briefly at any other (a page cached before a release asks for an older hash).
    const hubCssHref = /<link rel="stylesheet" href="(\/assets\/hub\.css\?v=[0-9a-f]{16})">/.exec(res.body)?.[1];
    expect(hubCssHref).toBeDefined();
    const hubCss = await hub.app.inject({ method: 'GET', url: hubCssHref! });
    expect(hubCss.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(hubCss.body).toContain('@media (prefers-color-scheme:light){:root{--accent:#0a7;');
    expect(hubCss.body).toContain('@media (prefers-color-scheme:dark){:root{--accent:hsl(160, 70%, 55%);');
    const unversioned = await hub.app.inject({ method: 'GET', url: '/assets/hub.css?v=0000000000000000' });
    expect(unversioned.headers['cache-control']).toBe('public, max-age=300');
    expect(unversioned.body).toBe(hubCss.body);
  });

  it('gives the hub stylesheet a new address when the colours change', async () => {
    const hrefOf = async (colors: Record<string, unknown>) =>
      /<link rel="stylesheet" href="(\/assets\/hub\.css\?v=[0-9a-f]{16})">/.exec((await page(await hubWith({ colors }))).body)?.[1];
    const a = await hrefOf({ light: { accent: '#0a7' } });
    const b = await hrefOf({ light: { accent: '#a07' } });
    expect(a).toBeDefined();
    expect(b).toBeDefined();
    expect(a).not.toBe(b);
  });

  it('links a logo URL and lets the CSP load images from that origin and no other', async () => {
    const hub = await hubWith({ logo: 'https://cdn.example.com/acme/logo.svg' });
    const res = await page(hub);
    expect(res.body).toContain('<img class="brand-logo" src="https://cdn.example.com/acme/logo.svg"');
    expect(res.headers['content-security-policy']).toBe(
      "default-src 'none'; style-src 'self'; img-src 'self' data: https://cdn.example.com; base-uri 'none'; frame-ancestors 'none'",
    );
    const health = await hub.app.inject({ method: 'GET', url: '/health/alive' });
    expect(health.headers['content-security-policy']).toContain("img-src 'self' data: https://cdn.example.com;");
  });
});
