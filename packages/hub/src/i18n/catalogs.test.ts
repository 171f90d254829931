import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { CATALOGS } from './catalogs/index.ts';
import { LOCALES } from './locales.ts';

// A catalog that misses a key shows English in the middle of a German page; one whose message
// names another argument shows a hole. The compiler refuses missing and extra keys (CatalogOf);
// this checks what it cannot: arguments, ICU syntax, one owner per key.

type Ast = ReturnType<IntlMessageFormat['getAst']>;

/** The argument names a message uses, with their kind (plain, number, select, plural…). */
function argumentsOf(ast: Ast, into = new Set<string>()): Set<string> {
  for (const el of ast as unknown as { type: number; value?: string; options?: Record<string, { value: Ast }>; children?: Ast }[]) {
    if (el.type !== 0 && el.type !== 7 && el.type !== 8 && el.value !== undefined) into.add(`${el.value}:${el.type}`);
    for (const option of Object.values(el.options ?? {})) argumentsOf(option.value, into);
    if (el.children) argumentsOf(el.children, into);
  }
  return into;
}

const en = CATALOGS.en as Record<string, string>;
const CATALOG_DIR = join(import.meta.dirname, 'catalogs');
const AREAS = readdirSync(join(CATALOG_DIR, 'en'))
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
  .map((f) => f.slice(0, -3));

describe('locale catalogs', () => {
  it.each(LOCALES.filter((l) => l !== 'en'))('%s has every key of the English catalog and no other', (locale) => {
    const catalog = CATALOGS[locale] as Record<string, string>;
    expect(Object.keys(catalog).filter((k) => !Object.hasOwn(en, k))).toEqual([]);
    expect(Object.keys(en).filter((k) => !Object.hasOwn(catalog, k))).toEqual([]);
    expect(Object.entries(catalog).filter(([, v]) => typeof v !== 'string' || v.trim() === '').map(([k]) => k)).toEqual([]);
  });

  it.each(LOCALES.filter((l) => l !== 'en'))('%s uses the same arguments as English in every message', (locale) => {
    const catalog = CATALOGS[locale] as Record<string, string>;
    const mismatched: string[] = [];
    for (const [key, source] of Object.entries(en)) {
      const want = [...argumentsOf(new IntlMessageFormat(source, 'en', undefined, { ignoreTag: true }).getAst())].sort();
      const got = [...argumentsOf(new IntlMessageFormat(catalog[key] ?? '', locale, undefined, { ignoreTag: true }).getAst())].sort();
      if (want.join() !== got.join()) mismatched.push(`${key}: ${got.join() || '(none)'} instead of ${want.join() || '(none)'}`);
    }
    expect(mismatched).toEqual([]);
  });

  it.each([...LOCALES])('every %s message formats, and shows every value it is given', (locale) => {
    const broken: string[] = [];
    for (const [key, source] of Object.entries(CATALOGS[locale] as Record<string, string>)) {
      const format = new IntlMessageFormat(source, locale, undefined, { ignoreTag: true });
      const values: Record<string, string | number> = {};
      const plainArgs: string[] = [];
      for (const arg of argumentsOf(format.getAst())) {
        const [name = '', type] = arg.split(':');
        // 1: a plain argument, 2: a number; select and plural only choose text.
        values[name] = type === '2' || type === '6' ? 3 : type === '5' ? 'other' : `«${name}»`;
        if (type === '1') plainArgs.push(name);
      }
      try {
        const out = String(format.format(values));
        // An apostrophe before a brace quotes it in ICU: "l'{app}" would print "{app}" literally.
        for (const name of plainArgs) if (!out.includes(`«${name}»`)) broken.push(`${key}: does not show {${name}}`);
      } catch (err) {
        broken.push(`${key}: ${(err as Error).message}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('gives each key one area file, named by its prefix', async () => {
    for (const locale of LOCALES) {
      const owner = new Map<string, string>();
      for (const area of AREAS) {
        const { default: messages } = (await import(`./catalogs/${locale}/${area}.ts`)) as { default: Record<string, string> };
        for (const key of Object.keys(messages)) {
          expect(owner.get(key), `${locale}: ${key} is in ${owner.get(key)} and ${area}`).toBeUndefined();
          owner.set(key, area);
          expect(key.startsWith(`${area}.`), `${locale}/${area}.ts: ${key} should start with "${area}."`).toBe(true);
        }
      }
    }
  });
});
