import { readFileSync } from 'node:fs';
import type { ConfigProblems } from '../config/config-problems.ts';
import { describe } from '../config/config-problems.ts';
import { defaultsFromSchema } from '../config/defaults-from-schema.ts';
import { parseFrameTemplate } from './frame-template.ts';

/** A link of `branding.footer`. */
export interface FooterLink {
  text: string;
  href: string;
}

/** CSS colours of one scheme; an absent one keeps the hub's (http/hub-css.ts). */
export interface BrandingColors {
  accent: string | undefined;
  background: string | undefined;
  text: string | undefined;
}

/**
 * The `branding` options as checked (issue 20). Files are named, not held: branding-assets.ts
 * reads them again when the app is built, so the checked configuration stays plain data.
 */
export interface BrandingConfig {
  productName: string;
  /** A file path, or an https (http in development) URL. */
  logo: string | undefined;
  colors: { light: BrandingColors; dark: BrandingColors };
  stylesheet: string | undefined;
  /** Plain text (escaped when rendered) or links; undefined: the default, which names the product in the page's language. */
  footer: string | FooterLink[] | undefined;
  /** A file path: an HTML template of the page frame (frame-template.ts). */
  frameTemplate: string | undefined;
}

export type BrandingConfigInput = {
  productName?: unknown;
  logo?: unknown;
  colors?: { light?: Partial<Record<keyof BrandingColors, unknown>>; dark?: Partial<Record<keyof BrandingColors, unknown>> };
  stylesheet?: unknown;
  footer?: unknown;
  frameTemplate?: unknown;
};

/** Largest logo or stylesheet file: it is held in memory and sent with every page. */
export const BRANDING_FILE_LIMIT = 256 * 1024;
const MAX_NAME = 60;
const MAX_FOOTER_TEXT = 200;
const MAX_FOOTER_LINKS = 6;

const NUM = String.raw`\d{1,3}(?:\.\d+)?`;
const SEP = String.raw`(?:\s*,\s*|\s+)`;
const ALPHA = String.raw`(?:\s*[,/]\s*(?:0|1|0?\.\d+|\d{1,3}%))?`;
/**
 * The only colours accepted: they are written into the hub's stylesheet, so the pattern admits
 * no `;`, `}` or anything else that could end the declaration.
 */
const CSS_COLOR = new RegExp(
  `^(?:${[
    '#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})',
    String.raw`rgba?\(\s*${NUM}%?${SEP}${NUM}%?${SEP}${NUM}%?${ALPHA}\s*\)`,
    String.raw`hsla?\(\s*${NUM}(?:deg)?${SEP}${NUM}%${SEP}${NUM}%${ALPHA}\s*\)`,
  ].join('|')})$`,
);

export function isCssColor(value: string): boolean {
  return CSS_COLOR.test(value);
}

/** The image types a logo file may be, told by its first bytes (the extension alone is not trusted). */
export type LogoType = 'image/svg+xml' | 'image/png' | 'image/webp';

export function logoType(bytes: Buffer): LogoType | undefined {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  const head = bytes.subarray(0, 1024).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (/^(?:<\?xml[^>]*>\s*)?(?:<!--[\s\S]*?-->\s*)*(?:<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]/i.test(head)) return 'image/svg+xml';
  return undefined;
}

/** Validates the `branding` options; each problem names its option. Reads the files to check them. */
export function checkBrandingConfig(p: ConfigProblems, input: BrandingConfigInput, { mode }: { mode: string }): BrandingConfig {
  const productName = p.string('branding.productName', input.productName ?? defaultsFromSchema('branding.productName'));
  if (productName.length > MAX_NAME) p.add('branding.productName', `must be at most ${MAX_NAME} characters (got ${productName.length})`);
  const logo = input.logo === undefined ? undefined : checkLogo(p, input.logo, mode);
  const stylesheet = input.stylesheet === undefined ? undefined : checkFile(p, 'branding.stylesheet', input.stylesheet)?.path;
  const colors = {
    light: checkColors(p, 'branding.colors.light', input.colors?.light),
    dark: checkColors(p, 'branding.colors.dark', input.colors?.dark),
  };
  const footer = input.footer === undefined ? undefined : checkFooter(p, input.footer);
  const frameTemplate = input.frameTemplate === undefined ? undefined : checkFrameTemplate(p, input.frameTemplate);
  return { productName, logo, colors, stylesheet, footer, frameTemplate };
}

/** `branding.frameTemplate`: a readable file whose template passes frame-template.ts' checks. */
function checkFrameTemplate(p: ConfigProblems, value: unknown): string | undefined {
  const file = checkFile(p, 'branding.frameTemplate', value);
  if (!file) return undefined;
  const { problems } = parseFrameTemplate(file.bytes.toString('utf8'));
  for (const problem of problems) p.add('branding.frameTemplate', problem);
  return problems.length > 0 ? undefined : file.path;
}

function checkColors(p: ConfigProblems, path: string, input: Partial<Record<keyof BrandingColors, unknown>> | undefined): BrandingColors {
  const color = (key: keyof BrandingColors): string | undefined => {
    const value = input?.[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !isCssColor(value.trim())) {
      p.add(`${path}.${key}`, `must be a CSS colour written #rgb, #rrggbb, rgb(…) or hsl(…) (got ${describe(value)})`);
      return undefined;
    }
    return value.trim();
  };
  return { accent: color('accent'), background: color('background'), text: color('text') };
}

function checkLogo(p: ConfigProblems, value: unknown, mode: string): string | undefined {
  const s = p.string('branding.logo', value);
  if (!s) return undefined;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) {
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      p.add('branding.logo', `must be a file path or an absolute https URL (got ${describe(s)})`);
      return undefined;
    }
    if (url.protocol === 'http:' && mode === 'production') p.add('branding.logo', 'must be an https URL in production (a page on https must not load an http image)');
    else if (url.protocol !== 'https:' && url.protocol !== 'http:') p.add('branding.logo', `must be a file path or an https URL (got ${describe(s)})`);
    if (url.username || url.password) p.add('branding.logo', 'must not carry credentials');
    return s;
  }
  const file = checkFile(p, 'branding.logo', s);
  if (file && logoType(file.bytes) === undefined) p.add('branding.logo', `must be an SVG, PNG or WebP image (${describe(s)} is none of them)`);
  return file?.path;
}

/** A file given by an option: readable, not empty, at most BRANDING_FILE_LIMIT bytes. */
export function checkFile(p: ConfigProblems, path: string, value: unknown): { path: string; bytes: Buffer } | undefined {
  const file = p.string(path, value);
  if (!file) return undefined;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    p.add(path, `must name a readable file (${describe(file)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    return undefined;
  }
  if (bytes.length === 0) p.add(path, `must not be an empty file (${describe(file)})`);
  else if (bytes.length > BRANDING_FILE_LIMIT) p.add(path, `must be at most ${BRANDING_FILE_LIMIT} bytes (${describe(file)} has ${bytes.length})`);
  else return { path: file, bytes };
  return undefined;
}

function checkFooter(p: ConfigProblems, value: unknown): string | FooterLink[] {
  if (typeof value === 'string') {
    if (value.length > MAX_FOOTER_TEXT) p.add('branding.footer', `must be at most ${MAX_FOOTER_TEXT} characters (got ${value.length})`);
    return value;
  }
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_FOOTER_LINKS) {
    p.add('branding.footer', `must be plain text or a list of 1–${MAX_FOOTER_LINKS} links { "text": …, "href": "https://…" } (got ${describe(value)})`);
    return [];
  }
  return value.map((link: unknown, i) => {
    const path = `branding.footer[${i}]`;
    const { text, href, ...rest } = (typeof link === 'object' && link !== null ? link : {}) as Record<string, unknown>;
    if (Object.keys(rest).length > 0) p.add(path, `takes only "text" and "href" (got ${Object.keys(rest).join(', ')})`);
    const t = p.string(`${path}.text`, text);
    if (t.length > MAX_NAME) p.add(`${path}.text`, `must be at most ${MAX_NAME} characters (got ${t.length})`);
    const h = p.string(`${path}.href`, href);
    if (h) {
      let ok = false;
      try {
        const u = new URL(h);
        ok = u.protocol === 'https:' && !u.username && !u.password;
      } catch {}
      if (!ok) p.add(`${path}.href`, `must be an absolute https URL (got ${describe(h)})`);
    }
    return { text: t, href: h };
  });
}
