import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// One run covers every package: unit tests next to the code they test, and the cross-package
// integration and end-to-end suites under test/. Integration and e2e files start real Kratos,
// Redis, SMTP capture and Chromium, so they run one file at a time on this 2-core budget.
// Tests import workspace packages from their TypeScript source, never from a stale dist/.
const packages = ['hub', 'client', 'cli', 'demo-app', 'testkit'];
const src = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));
const source = {
  alias: [
    // Subpath exports first: `@ssohub/hub` alone would also match `@ssohub/hub/config`.
    { find: /^@ssohub\/hub\/config$/, replacement: src('hub/src/config/index.ts') },
    { find: /^@ssohub\/hub\/keys$/, replacement: src('hub/src/bridge/provider/signing-keys.ts') },
    ...packages.map((p) => ({ find: new RegExp(`^@ssohub/${p}$`), replacement: src(`${p}/src/index.ts`) })),
  ],
};
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  resolve: source,
  test: {
    projects: [
      ...packages.map((name) => ({
        resolve: source,
        test: {
          name,
          root: `${root}packages/${name}`,
          // The hub's also runs the repository's architecture checks (test/architecture): fast,
          // no services, about the hub's own source.
          include: ['src/**/*.test.ts', 'test/**/*.test.ts', ...(name === 'hub' ? ['../../test/architecture/**/*.test.ts'] : [])],
          exclude: ['**/*.int.test.ts'],
          setupFiles: ['../../test/setup/unit.ts'],
          environment: 'node',
        },
      })),
      {
        resolve: source,
        test: {
          name: 'integration',
          root,
          include: ['test/integration/**/*.test.ts', 'packages/*/src/**/*.int.test.ts'],
          setupFiles: ['test/setup/integration.ts'],
          globalSetup: ['test/setup/global.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
      {
        // The production path (docs/deploy.md): deploy artifacts checked by real tools (Helm,
        // compose-go, systemd-analyze, a Dockerfile linter) and a native run of the documented
        // deployment behind Caddy, signed in from Chromium.
        resolve: source,
        test: {
          name: 'deploy',
          root,
          include: ['test/deploy/**/*.test.ts'],
          setupFiles: ['test/setup/integration.ts'],
          globalSetup: ['test/setup/global.ts'],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 900_000,
        },
      },
      {
        // The short form of the fault-injection suite (test/chaos): one run of every fault, each
        // fault a test. Long hook: the run builds two stacks and injects nine faults. It runs in
        // a group of its own (groupOrder), alone, so the timings it asserts are its own.
        resolve: source,
        test: {
          name: 'chaos',
          root,
          sequence: { groupOrder: 1 },
          include: ['test/chaos/**/*.test.ts'],
          setupFiles: ['test/setup/integration.ts'],
          globalSetup: ['test/setup/global.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 1_200_000,
        },
      },
      {
        // The short form of the malformed-request suite (test/fuzz, issue 19): 20,000 requests at
        // every route of the hub and two SDK apps; the run itself is the beforeAll hook. A group of
        // its own (after chaos), so its 5 s hang deadline measures the hub, not a busy machine.
        resolve: source,
        test: {
          name: 'fuzz',
          root,
          sequence: { groupOrder: 2 },
          include: ['test/fuzz/**/*.test.ts'],
          setupFiles: ['test/setup/integration.ts'],
          globalSetup: ['test/setup/global.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 600_000,
        },
      },
      {
        resolve: source,
        test: {
          name: 'e2e',
          root,
          include: ['test/e2e/**/*.test.ts'],
          setupFiles: ['test/setup/integration.ts'],
          globalSetup: ['test/setup/global.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
