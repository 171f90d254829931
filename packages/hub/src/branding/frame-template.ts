/**
 * Owns `branding.frameTemplate` (issue 20): an operator's HTML file that replaces the page frame
 * around every hub page (what surrounds the card: header, footer, extra markup), with
 * placeholders the hub fills, escaping every value it inserts.
 *
 * The template is checked once, at startup, and refused with problems naming the option: the CSP
 * (http/security-headers.ts) forbids scripts and inline styles, so markup that relies on them
 * would silently not work; it is refused instead, as is a placeholder the hub does not know.
 */

/** Placeholders filled with escaped text (safe inside an attribute value or as content). */
const TEXT_PLACEHOLDERS = ['lang', 'dir', 'title', 'productName'] as const;
/** Placeholders filled with the hub's markup (only as content, never inside a tag). */
const MARKUP_PLACEHOLDERS = ['head', 'skipLink', 'header', 'main', 'footer', 'languagePicker'] as const;

export type FramePlaceholder = (typeof TEXT_PLACEHOLDERS)[number] | (typeof MARKUP_PLACEHOLDERS)[number];

/** Must appear exactly once: `main` carries the page, `head` the stylesheets the CSP allows. */
const REQUIRED: readonly FramePlaceholder[] = ['head', 'main'];

export const FRAME_PLACEHOLDERS: readonly FramePlaceholder[] = [...TEXT_PLACEHOLDERS, ...MARKUP_PLACEHOLDERS];

/** A checked template: literal markup between placeholders, ready to be joined. */
export interface FrameTemplate {
  readonly parts: readonly (string | { readonly placeholder: FramePlaceholder })[];
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

function isPlaceholder(name: string): name is FramePlaceholder {
  return (FRAME_PLACEHOLDERS as readonly string[]).includes(name);
}

/**
 * Parses and checks a template. Returns the problems (each a sentence to follow the option's
 * name), or the template when there are none.
 */
export function parseFrameTemplate(source: string): { template: FrameTemplate; problems: [] } | { template: undefined; problems: string[] } {
  const problems: string[] = [];
  const parts: (string | { placeholder: FramePlaceholder })[] = [];
  const counts = new Map<string, number>();
  let at = 0;
  for (const m of source.matchAll(PLACEHOLDER)) {
    const name = m[1] ?? '';
    parts.push(source.slice(at, m.index));
    at = m.index + m[0].length;
    if (!isPlaceholder(name)) {
      problems.push(`has an unknown placeholder {{${name.slice(0, 40)}}} (known: ${FRAME_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')})`);
      continue;
    }
    counts.set(name, (counts.get(name) ?? 0) + 1);
    parts.push({ placeholder: name });
  }
  parts.push(source.slice(at));
  for (const name of REQUIRED) {
    const n = counts.get(name) ?? 0;
    if (n !== 1) problems.push(n === 0 ? `must contain the placeholder {{${name}}}` : `must contain the placeholder {{${name}}} only once (found ${n})`);
  }
  problems.push(...markupProblems(source));
  return problems.length > 0 ? { template: undefined, problems } : { template: { parts }, problems: [] };
}

/** What the CSP would block (so would not work) or what would break the hub's markup. */
function markupProblems(source: string): string[] {
  const problems: string[] = [];
  if (/<script\b/i.test(source)) problems.push('must not contain <script> (the Content-Security-Policy forbids scripts on the login domain)');
  if (/<style\b/i.test(source)) problems.push('must not contain <style> (the Content-Security-Policy forbids inline styles: use branding.stylesheet)');
  if (/javascript:/i.test(source)) problems.push('must not contain javascript: URLs (the Content-Security-Policy forbids scripts)');
  if (/<base\b/i.test(source)) problems.push('must not contain <base> (the Content-Security-Policy sets base-uri to none)');
  for (const tag of source.matchAll(/<[a-z][a-z0-9-]*\b[^>]*>/gi)) {
    const markup = tag[0];
    const attr = /\s(on[a-z]+|style)\s*=/i.exec(markup)?.[1]?.toLowerCase();
    if (attr === 'style') problems.push(`must not use style attributes (the Content-Security-Policy forbids inline styles: use branding.stylesheet): ${excerpt(markup)}`);
    else if (attr) problems.push(`must not use inline event handlers such as ${attr}= (the Content-Security-Policy forbids scripts): ${excerpt(markup)}`);
    for (const m of markup.matchAll(PLACEHOLDER)) {
      if ((MARKUP_PLACEHOLDERS as readonly string[]).includes(m[1] ?? '')) problems.push(`must not put {{${m[1]}}} inside a tag (it is markup, not text): ${excerpt(markup)}`);
    }
  }
  return [...new Set(problems)];
}

function excerpt(markup: string): string {
  return markup.length > 60 ? `${markup.slice(0, 57)}…` : markup;
}

/** The template filled in: `values` must already be escaped text or markup (render-page.ts). */
export function fillFrameTemplate(template: FrameTemplate, values: Readonly<Record<FramePlaceholder, string>>): string {
  const out = template.parts.map((part) => (typeof part === 'string' ? part : values[part.placeholder])).join('');
  return /^\s*<!doctype/i.test(out) ? out : `<!doctype html>${out}`;
}
