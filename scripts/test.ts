/**
 * `npm test`: the whole suite on a fresh machine. Checks the runtime, builds Kratos if the cache
 * lacks it, runs lint and typecheck through turbo, then every vitest project (unit, integration
 * against real Kratos/Redis/PostgreSQL/SMTP, e2e in Chromium), and ends with the plain line
 * "N passed, N failed" that CI reads.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(`ssohub: npm test needs Node 24 (found ${process.version}). Run it through npm after \`npm ci\`, which installs Node 24 from the node@24 devDependency.`);
  process.exit(1);
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', ...env } });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.on('error', (err) => {
      console.error(`ssohub: could not run ${cmd}: ${err.message}`);
      resolve(1);
    });
  });
}

const extraArgs = process.argv.slice(2);
let failedSteps = 0;

console.log('\n== kratos (built once, cached by pinned version)');
if ((await run('bash', ['deploy/kratos/build.sh'])) !== 0) {
  console.error('ssohub: the Kratos build failed; see the message above.');
  failedSteps++;
}

console.log('\n== lint and typecheck');
if ((await run('turbo', ['run', 'lint', 'typecheck', '--output-logs=errors-only'])) !== 0) failedSteps++;
// The cross-package suites, scripts and benchmarks live outside the workspaces.
if ((await run('tsc', ['-p', 'tsconfig.json'])) !== 0) failedSteps++;
if ((await run('biome', ['lint', ...['test', 'scripts', 'bench'].filter((d) => existsSync(d))])) !== 0) failedSteps++;

console.log('\n== tests');
await mkdir('test-results', { recursive: true });
const report = 'test-results/vitest.json';
const vitestCode = await run('vitest', ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extraArgs]);

let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const json = JSON.parse(await readFile(report, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
    numFailedTestSuites: number;
  };
  passed = json.numPassedTests;
  failed = json.numFailedTests + (json.numFailedTests === 0 && vitestCode !== 0 ? Math.max(1, json.numFailedTestSuites) : 0);
  skipped = json.numPendingTests + json.numTodoTests;
} catch {
  failed = 1;
}
failed += failedSteps;
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || vitestCode !== 0 ? 1 : 0);
