import { access, constants, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium } from 'playwright-core';
import { SetupError } from './setup-error.ts';

export const CHROMIUM_PATH = process.env.SSOHUB_CHROMIUM ?? '/usr/bin/chromium';

export interface TestBrowser {
  browser: Browser;
  /** A fresh, isolated cookie jar. */
  /** A fresh context, English (en-US) unless `options.locale` names another language. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  close(): Promise<void>;
}

/**
 * Launches Debian's Chromium headless with the test host names mapped to loopback and the test
 * leaf certificate trusted by its SPKI pin (no certificate warnings for anything else).
 */
export async function launchChromium({
  spkiHash,
  executablePath = CHROMIUM_PATH,
}: { spkiHash: string; executablePath?: string }): Promise<TestBrowser> {
  try {
    await access(executablePath, constants.X_OK);
  } catch {
    throw new SetupError(
      `Chromium is not installed at ${executablePath}. Install Debian's package (apt-get install -y chromium) or set SSOHUB_CHROMIUM to its path.`,
    );
  }
  const userDataDir = await mkdtemp(join(tmpdir(), 'ssohub-chromium-'));
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      `--ignore-certificate-errors-spki-list=${spkiHash}`,
      '--host-resolver-rules=MAP *.test 127.0.0.1, MAP *.example 127.0.0.1, MAP *.localhost 127.0.0.1',
    ],
  });
  return {
    browser,
    newContext: (options = {}) => browser.newContext({ locale: 'en-US', ...options }),
    async close() {
      await browser.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
