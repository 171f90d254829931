import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkConfig } from '../config/check-config.ts';
import type { HubConfigInput } from '../config/hub-config.ts';
import { brandingCss, loadBranding } from './branding-assets.ts';
import { BRANDING_FILE_LIMIT, isCssColor } from './branding-config.ts';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const SVG = '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ssohub-branding-'));
  await writeFile(join(dir, 'logo.png'), PNG);
  await writeFile(join(dir, 'logo.svg'), SVG);
  await writeFile(join(dir, 'big.png'), Buffer.concat([PNG, Buffer.alloc(BRANDING_FILE_LIMIT)]));
  await writeFile(join(dir, 'logo.txt'), 'not an image');
  await writeFile(join(dir, 'brand.css'), '.card{border-radius:0}');
});

const check = (branding: HubConfigInput['branding'], mode: 'production' | 'development' = 'development') =>
  checkConfig({ mode, publicUrl: 'https://login.example.com', branding }, { only: ['branding'] }).branding;
const problems = (branding: unknown, mode: 'production' | 'development' = 'development') => {
  try {
    check(branding as HubConfigInput['branding'], mode);
  } catch (err) {
    return (err as { problems: string[] }).problems;
  }
  return [];
};

describe('branding options', () => {
  it('default to what the hub showed before: its name, no logo, its colours and footer', () => {
    expect(check(undefined)).toEqual({
      productName: 'SSO Hub',
      logo: undefined,
      colors: { light: { accent: undefined, background: undefined, text: undefined }, dark: { accent: undefined, background: undefined, text: undefined } },
      stylesheet: undefined,
      // The default footer is rendered in each page's language (render-page.ts), naming the product.
      footer: undefined,
      frameTemplate: undefined,
    });
  });

  it('accept colours written #rgb, #rrggbb, rgb() and hsl() only', () => {
    for (const ok of ['#0a7', '#00AA77', 'rgb(0, 170, 119)', 'rgb(0 170 119 / 50%)', 'rgba(0,170,119,.5)', 'hsl(160, 100%, 33%)', 'hsl(160deg 100% 33%)']) {
      expect(isCssColor(ok), ok).toBe(true);
    }
    for (const bad of ['red', '#0a77', 'rgb(0,0,0);}body{display:none', 'url(https://x.example/a.png)', 'var(--x)', 'expression(alert(1))', '#fff;', 'hsl(1,2,3)', '']) {
      expect(isCssColor(bad), bad).toBe(false);
    }
  });

  it('refuse a bad colour, naming the option', () => {
    expect(problems({ colors: { dark: { accent: 'red;}body{display:none' } } })).toEqual([
      'branding.colors.dark.accent must be a CSS colour written #rgb, #rrggbb, rgb(…) or hsl(…) (got "red;}body{display:none")',
    ]);
    expect(problems({ colors: { light: { background: 42 } } })[0]).toMatch(/^branding\.colors\.light\.background must be a CSS colour/);
  });

  it('refuse a logo or stylesheet file that is missing, too large, or not an image', () => {
    expect(problems({ logo: join(dir, 'missing.svg') })[0]).toMatch(/^branding\.logo must name a readable file \(.*missing\.svg": ENOENT\)$/);
    expect(problems({ stylesheet: join(dir, 'missing.css') })[0]).toMatch(/^branding\.stylesheet must name a readable file .*ENOENT/);
    expect(problems({ logo: join(dir, 'big.png') })[0]).toMatch(new RegExp(`^branding\\.logo must be at most ${BRANDING_FILE_LIMIT} bytes .* has ${BRANDING_FILE_LIMIT + PNG.length}\\)$`));
    expect(problems({ logo: join(dir, 'logo.txt') })[0]).toMatch(/^branding\.logo must be an SVG, PNG or WebP image/);
    expect(problems({ logo: join(dir, 'logo.png'), stylesheet: join(dir, 'brand.css') })).toEqual([]);
    expect(problems({ logo: join(dir, 'logo.svg') })).toEqual([]);
  });

  it('refuse an http logo URL in production, and URLs that are not http(s)', () => {
    expect(problems({ logo: 'http://cdn.example.com/logo.svg' }, 'production')).toEqual([
      'branding.logo must be an https URL in production (a page on https must not load an http image)',
    ]);
    expect(problems({ logo: 'http://cdn.example.com/logo.svg' }, 'development')).toEqual([]);
    expect(problems({ logo: 'https://cdn.example.com/logo.svg' }, 'production')).toEqual([]);
    expect(problems({ logo: 'javascript://x/%0aalert(1)' })[0]).toMatch(/^branding\.logo must be a file path or an https URL/);
  });

  it('take a footer of plain text or a few https links', () => {
    expect(problems({ footer: [{ text: 'Help', href: 'https://acme.example/help' }] })).toEqual([]);
    expect(problems({ footer: [{ text: 'Help', href: 'javascript:alert(1)' }] })).toEqual(['branding.footer[0].href must be an absolute https URL (got "javascript:alert(1)")']);
    expect(problems({ footer: [{ text: 'Help', href: 'http://acme.example/help' }] })).toEqual(['branding.footer[0].href must be an absolute https URL (got "http://acme.example/help")']);
    expect(problems({ footer: [] })[0]).toMatch(/^branding\.footer must be plain text or a list of 1–6 links/);
    expect(problems({ footer: 'x'.repeat(201) })).toEqual(['branding.footer must be at most 200 characters (got 201)']);
    expect(problems({ productName: 'x'.repeat(61) })).toEqual(['branding.productName must be at most 60 characters (got 61)']);
  });
});

describe('loadBranding', () => {
  it('serves a logo file under a content-hashed path and adds no image origin', () => {
    const branding = loadBranding(check({ logo: join(dir, 'logo.svg'), stylesheet: join(dir, 'brand.css') }));
    expect(branding.page.logoSrc).toMatch(/^\/assets\/logo-[0-9a-f]{16}\.svg$/);
    expect(branding.page.stylesheetHref).toMatch(/^\/assets\/branding-[0-9a-f]{16}\.css$/);
    expect(branding.assets.map((a) => a.type)).toEqual(['image/svg+xml', 'text/css; charset=utf-8']);
    expect(branding.imgOrigin).toBeUndefined();
  });

  it('links a logo URL and names its origin for the CSP', () => {
    const branding = loadBranding(check({ logo: 'https://cdn.example.com/brand/logo.svg?v=2' }));
    expect(branding.page.logoSrc).toBe('https://cdn.example.com/brand/logo.svg?v=2');
    expect(branding.imgOrigin).toBe('https://cdn.example.com');
    expect(branding.assets).toEqual([]);
  });

  it('writes each scheme’s colours as overrides of the hub’s custom properties', () => {
    const css = brandingCss(check({ colors: { light: { accent: '#0a7' }, dark: { background: 'hsl(160, 20%, 5%)', text: '#eee' } } }).colors);
    expect(css).toBe(
      '@media (prefers-color-scheme:light){:root{--accent:#0a7;--accent-hover:color-mix(in srgb,#0a7 85%,#000)}}\n' +
        '@media (prefers-color-scheme:dark){:root{--bg:hsl(160, 20%, 5%);--ink:#eee}}\n',
    );
    expect(brandingCss(check(undefined).colors)).toBe('');
  });
});
