import type { TestProject } from 'vitest/node';
import {
  createTestCertificates,
  ensureKratosBinary,
  launchChromium,
  startTestRedis,
  TESTKIT_CACHE,
  type TestRedis,
} from '@ssohub/testkit';

declare module 'vitest' {
  export interface ProvidedContext {
    kratosBin: string;
    redisUrl: string;
    caPem: string;
    certPem: string;
    keyPem: string;
    spkiHash: string;
  }
}

let redis: TestRedis | undefined;

/**
 * Runs once before the integration and e2e suites: builds Kratos if the cache lacks it, finds or
 * starts Redis, creates the test CA, and checks Chromium. A missing part fails the run here with
 * a message that says how to fix it; nothing is skipped.
 */
export default async function setup(project: TestProject) {
  const kratosBin = await ensureKratosBinary();
  redis = await startTestRedis();
  const certs = await createTestCertificates(TESTKIT_CACHE);
  if (project.name === 'e2e' || project.name === 'deploy') {
    const browser = await launchChromium({ spkiHash: certs.spkiHash });
    await browser.close();
  }
  project.provide('kratosBin', kratosBin);
  project.provide('redisUrl', redis.url);
  project.provide('caPem', certs.caPem);
  project.provide('certPem', certs.certPem);
  project.provide('keyPem', certs.keyPem);
  project.provide('spkiHash', certs.spkiHash);
  return async () => {
    await redis?.stop();
  };
}
