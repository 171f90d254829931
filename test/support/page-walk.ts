import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { type AxeViolation, runAxe } from './axe.ts';
import { SCREENSHOT_DIR } from './browser.ts';

export const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'mobile', width: 390, height: 844 },
] as const;
export const SCHEMES = ['light', 'dark'] as const;
export type Scheme = (typeof SCHEMES)[number];

/** Where one check ran: the page's name in the walk, the viewport and the colour scheme. */
export interface Spot {
  page: string;
  viewport: string;
  scheme: Scheme;
}

export interface Finding extends Spot, AxeViolation {}

export interface PageWalkOptions {
  /** Names the deployment in reports and screenshot folders ("plain", "themed"). */
  label: string;
  /** Save test-results/screenshots/a11y/<label>/<page>.<viewport>.<scheme>.png. */
  screenshots: boolean;
  /** Extra assertions per page and scheme; returns what is wrong, if anything. */
  inspect?: (page: Page, spot: Spot) => Promise<string[]>;
}

/**
 * Checks the pages of one walk through the hub: at each page reached, axe in every viewport and
 * colour scheme (switched on the same page, so each state is reached once), an optional check of
 * its own (the themed deployment's branding), and a full-page screenshot when asked for.
 * Findings are collected, not thrown, so one run reports every page.
 */
export class PageWalk {
  readonly findings: Finding[] = [];
  readonly problems: string[] = [];
  readonly unreachable: string[] = [];
  readonly visited: string[] = [];

  private readonly o: PageWalkOptions;

  constructor(options: PageWalkOptions) {
    this.o = options;
  }

  async check(page: Page, name: string): Promise<void> {
    this.visited.push(name);
    await page.waitForLoadState('load');
    for (const viewport of VIEWPORTS) {
      await page.setViewportSize({ width: viewport.width, height: viewport.height });
      for (const scheme of SCHEMES) {
        await page.emulateMedia({ colorScheme: scheme });
        const spot = { page: name, viewport: `${viewport.name} ${viewport.width}×${viewport.height}`, scheme };
        for (const v of await runAxe(page)) this.findings.push({ ...spot, ...v });
        const wide = await overflowing(page);
        if (wide.length > 0) {
          this.findings.push({
            ...spot,
            rule: 'reflow',
            impact: 'serious',
            help: 'Content must fit the viewport width without scrolling sideways (WCAG 1.4.10; checked by the walk, not axe)',
            targets: wide.map((target) => ({ target, summary: 'reaches past the right edge of the viewport' })),
          });
        }
        if (this.o.inspect) for (const p of await this.o.inspect(page, spot)) this.problems.push(`${name} (${spot.viewport}, ${scheme}): ${p}`);
        if (this.o.screenshots) {
          const path = join(SCREENSHOT_DIR, 'a11y', this.o.label, `${name}.${viewport.name}.${scheme}.png`);
          await mkdir(dirname(path), { recursive: true });
          await page.screenshot({ path, fullPage: true });
        }
      }
    }
    await page.setViewportSize({ width: VIEWPORTS[0].width, height: VIEWPORTS[0].height });
    await page.emulateMedia({ colorScheme: 'light' });
  }

  /**
   * Runs one step of the walk; a step that fails is recorded as unreachable pages and the walk
   * goes on with the next (each step starts from a state of its own).
   */
  async step(label: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.unreachable.push(`${this.o.label}: ${label}: ${(err as Error).message.split('\n')[0]}`);
    }
  }

  /** Every violation, one line each, grouped by rule. */
  report(): string {
    const byRule = new Map<string, Finding[]>();
    for (const f of this.findings) byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
    const lines: string[] = [];
    for (const [rule, list] of byRule) {
      lines.push(`${rule} (${list[0]!.impact}): ${list[0]!.help}`);
      for (const f of list) {
        for (const t of f.targets) lines.push(`  ${this.o.label}/${f.page} [${f.viewport}, ${f.scheme}] ${t.target} — ${t.summary}`);
      }
    }
    return lines.join('\n');
  }
}

/**
 * The innermost elements that reach past the viewport's right edge (WCAG 1.4.10 Reflow), which
 * axe does not check: at 390 px a long unbroken address or a wide form must wrap, not scroll.
 */
async function overflowing(page: Page): Promise<string[]> {
  return await page.evaluate(() => {
    type El = { children: ArrayLike<El>; parentElement: El | null; tagName: string; id: string; className: unknown; getAttribute(n: string): string | null; getBoundingClientRect(): { right: number } };
    type Root = { scrollWidth: number; clientWidth: number };
    const g = globalThis as unknown as { innerWidth: number; document: { documentElement: Root; body: El; querySelectorAll(s: string): ArrayLike<El> } };
    const root = g.document.documentElement;
    if (root.scrollWidth <= root.clientWidth) return [];
    const edge = g.innerWidth + 1;
    const over = (el: El) => el.getBoundingClientRect().right > edge;
    const name = (el: El) => {
      const testid = el.getAttribute('data-testid');
      if (testid) return `[data-testid="${testid}"]`;
      const classes = typeof el.className === 'string' && el.className.trim() ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
      return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${classes}`;
    };
    const path = (el: El) => {
      const names: string[] = [];
      for (let e: El | null = el; e && e !== g.document.body && names.length < 4; e = e.parentElement) names.unshift(name(e));
      return names.join(' > ');
    };
    const found = Array.from(g.document.querySelectorAll('body *'))
      .filter((el) => over(el) && !Array.from(el.children).some(over))
      .map(path);
    return found.length > 0 ? found.slice(0, 5) : [`html (scrollWidth ${root.scrollWidth} > ${root.clientWidth}; text overflowing its box)`];
  });
}
