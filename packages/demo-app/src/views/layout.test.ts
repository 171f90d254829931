import { describe, expect, it } from 'vitest';
import { layout } from './layout.ts';

// Issue #20: on a 390 px phone the demo broke ordinary words mid-word (`word-break: break-all` on
// every <dd>). Only long unbroken tokens (ids, subjects, hashes in <code>/<pre>) may break anywhere.

const css = (() => {
  const page = layout({ appName: 'App A', accent: '#3b82f6', title: 'Home', body: '<p>x</p>' });
  return /<style>([\s\S]*?)<\/style>/.exec(page)?.[1] ?? '';
})();
/** The declarations of the rules whose selector list names `selector`, outside media queries too. */
const rulesFor = (selector: string) =>
  [...css.matchAll(/([^{}]+)\{([^{}]*)\}/g)].filter((m) => m[1]!.split(',').some((s) => s.trim() === selector)).map((m) => m[2]!);

describe('demo layout CSS on narrow screens', () => {
  it('never breaks ordinary words anywhere', () => {
    expect(css).not.toMatch(/word-break\s*:\s*break-all/);
    for (const sel of ['dd', 'body', 'p', 'main', 'section']) {
      expect(rulesFor(sel).join(';'), sel).not.toMatch(/overflow-wrap\s*:\s*anywhere/);
    }
  });

  it('lets long tokens in code and pre wrap anywhere instead of overflowing', () => {
    expect(rulesFor('code').join(';')).toMatch(/overflow-wrap\s*:\s*anywhere/);
    expect(rulesFor('pre').join(';')).toMatch(/overflow-wrap\s*:\s*anywhere/);
  });

  it('gives a definition list one column on a phone, so values are not squeezed beside their labels', () => {
    expect(css).toMatch(/@media\s*\(max-width:\s*\d+(\.\d+)?(rem|px)\)\s*\{[^}]*dl\{[^}]*grid-template-columns:\s*1fr/);
  });
});
