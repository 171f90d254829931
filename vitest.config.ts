import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// One run covers every package: unit tests next to the code they test, and the cross-package
// integration and end-to-end suites under test/. Integration and e2e files start real Kratos,
// Redis, SMTP capture and Chromium, so they run one file at a time on this 2-core budget.
// Tests import workspace packages from their TypeScript source, never from a stale dist/.
const packages = ['hub', 'client', 'cli', 'demo-app', 'testkit'];
const source = {
  alias: Object.fromEntries(
    packages.map((p) => [`@ssohub/${p}`, fileURLToPath(new URL(`./packages/${p}/src/index.ts`, import.meta.url))]),
  ),
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
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
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
