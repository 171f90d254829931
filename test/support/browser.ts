import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { inject } from 'vitest';
import { launchChromium, REPO_ROOT, type TestBrowser } from '@ssohub/testkit';

export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-results/screenshots');

/** Launches Debian Chromium for one e2e test file, trusting the test certificate. */
export async function openBrowser(): Promise<TestBrowser> {
  return await launchChromium({ spkiHash: inject('spkiHash') });
}

/** Saves a full-page screenshot under test-results/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
