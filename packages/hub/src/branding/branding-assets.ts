import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors/ssohub-error.ts';
import type { BrandingColors, BrandingConfig, FooterLink } from './branding-config.ts';
import { BRANDING_FILE_LIMIT, logoType } from './branding-config.ts';
import { type FrameTemplate, parseFrameTemplate } from './frame-template.ts';

/** What every page shows of the branding (http/render-page.ts). */
export interface PageBranding {
  productName: string;
  /** The logo's `src`: a hub asset path or the configured URL. */
  logoSrc?: string;
  /**
   * The hub's stylesheet with its content hash (`/assets/hub.css?v=…`), set where the app is
   * built, so a new release or new colours reach browsers at once although it is cached.
   */
  hubStylesheetHref?: string;
  /** The extra stylesheet's asset path, linked after the hub's. */
  stylesheetHref?: string;
  /** Absent: the default footer ("Protected by <productName>…"), in the page's language. */
  footer?: string | FooterLink[];
  /** `branding.frameTemplate`, checked: the frame around every page instead of the hub's. */
  frameTemplate?: FrameTemplate;
}

/** A file the hub serves under /assets/, named by its content hash so it may be cached for good. */
export interface BrandingAsset {
  path: string;
  type: string;
  body: Buffer;
}

export interface Branding {
  page: PageBranding;
  assets: BrandingAsset[];
  /** Appended to the hub's stylesheet: the colours as overrides of its custom properties. */
  css: string;
  /** The origin of a logo URL: the one origin the CSP's img-src adds. */
  imgOrigin?: string;
}

const EXTENSIONS: Record<string, string> = { 'image/svg+xml': 'svg', 'image/png': 'png', 'image/webp': 'webp' };

/**
 * Reads the files of checked `branding` options (branding-config.ts) and turns them into what the
 * app serves and the pages show. A file that changed since the check is refused the same way.
 */
export function loadBranding(config: BrandingConfig): Branding {
  const assets: BrandingAsset[] = [];
  const page: PageBranding = { productName: config.productName, ...(config.footer === undefined ? {} : { footer: config.footer }) };
  let imgOrigin: string | undefined;
  if (config.logo !== undefined) {
    if (/^https?:\/\//i.test(config.logo)) {
      page.logoSrc = config.logo;
      imgOrigin = new URL(config.logo).origin;
    } else {
      const body = read('branding.logo', config.logo);
      const type = logoType(body);
      if (type === undefined) throw new ConfigError(['branding.logo must be an SVG, PNG or WebP image']);
      const asset = { path: `/assets/logo-${hash(body)}.${EXTENSIONS[type]}`, type, body };
      assets.push(asset);
      page.logoSrc = asset.path;
    }
  }
  if (config.stylesheet !== undefined) {
    const body = read('branding.stylesheet', config.stylesheet);
    const asset = { path: `/assets/branding-${hash(body)}.css`, type: 'text/css; charset=utf-8', body };
    assets.push(asset);
    page.stylesheetHref = asset.path;
  }
  if (config.frameTemplate !== undefined) {
    const parsed = parseFrameTemplate(read('branding.frameTemplate', config.frameTemplate).toString('utf8'));
    if (!parsed.template) throw new ConfigError(parsed.problems.map((problem) => `branding.frameTemplate ${problem}`));
    page.frameTemplate = parsed.template;
  }
  return { page, assets, css: brandingCss(config.colors), ...(imgOrigin ? { imgOrigin } : {}) };
}

/**
 * The colours as overrides of http/hub-css.ts's custom properties, each scheme in its own media
 * query so a light-only accent does not leak into the dark scheme. The values passed
 * branding-config.ts's strict colour pattern, so they cannot end the declaration.
 */
export function brandingCss(colors: BrandingConfig['colors']): string {
  const block = (scheme: 'light' | 'dark', c: BrandingColors) => {
    const decls = [
      ...(c.accent ? [`--accent:${c.accent}`, `--accent-hover:color-mix(in srgb,${c.accent} 85%,${scheme === 'light' ? '#000' : '#fff'})`] : []),
      ...(c.background ? [`--bg:${c.background}`] : []),
      ...(c.text ? [`--ink:${c.text}`] : []),
    ];
    return decls.length > 0 ? `@media (prefers-color-scheme:${scheme}){:root{${decls.join(';')}}}\n` : '';
  };
  return block('light', colors.light) + block('dark', colors.dark);
}

function read(option: string, file: string): Buffer {
  try {
    const body = readFileSync(file);
    if (body.length === 0 || body.length > BRANDING_FILE_LIMIT) throw new Error(`size ${body.length}`);
    return body;
  } catch (err) {
    throw new ConfigError([`${option} could not be read at startup (${file}: ${(err as Error).message})`]);
  }
}

function hash(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex').slice(0, 16);
}
