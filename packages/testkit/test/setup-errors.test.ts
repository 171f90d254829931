import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { KRATOS_DIR, launchChromium, SetupError, startTestRedis } from '../src/index.ts';

const run = promisify(execFile);
const temps: string[] = [];
async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'ssohub-setup-'));
  temps.push(dir);
  return dir;
}
afterEach(async () => {
  for (const d of temps.splice(0)) await rm(d, { recursive: true, force: true });
  delete process.env.SSOHUB_TEST_REDIS_URL;
});

async function buildScriptFails(buildDir: string, env: NodeJS.ProcessEnv): Promise<string> {
  try {
    await run('bash', [join(buildDir, 'build.sh')], { env });
  } catch (err) {
    const e = err as { code: number; stderr: string };
    expect(e.code).toBe(1);
    return e.stderr;
  }
  throw new Error('build.sh succeeded although it should have failed');
}

describe('bad setup gets a clear message, not a stack trace', () => {
  it('says how to install Go when no Go toolchain is on PATH', async () => {
    const stderr = await buildScriptFails(KRATOS_DIR, { PATH: '/usr/bin:/bin', HOME: process.env.HOME, SSOHUB_CACHE_DIR: await tempDir() });
    expect(stderr).toMatch(/no Go toolchain on PATH\. Install Go >= 1\.23/);
    expect(stderr).toMatch(/SSOHUB_KRATOS_BIN/);
  });

  it('reports a failed Kratos build with the tail of the compiler output and where the log is', async () => {
    const dir = await tempDir();
    await cp(KRATOS_DIR, join(dir, 'kratos'), { recursive: true });
    await writeFile(join(dir, 'kratos/main.go'), 'package main\n\nfunc main() { this is not go }\n');
    const stderr = await buildScriptFails(join(dir, 'kratos'), { ...process.env, SSOHUB_CACHE_DIR: join(dir, 'cache') });
    expect(stderr).toMatch(/building Kratos failed \(full log: .*build\.log\)/);
    expect(stderr).toMatch(/syntax error/);
  });

  it('rejects an SSOHUB_KRATOS_BIN that is not an executable', async () => {
    const stderr = await buildScriptFails(KRATOS_DIR, { ...process.env, SSOHUB_KRATOS_BIN: '/nonexistent/kratos' });
    expect(stderr).toMatch(/SSOHUB_KRATOS_BIN=\/nonexistent\/kratos is not an executable file/);
  });

  it('names the Redis URL that does not answer and how to fix it', async () => {
    process.env.SSOHUB_TEST_REDIS_URL = 'redis://127.0.0.1:1';
    const err = await startTestRedis().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SetupError);
    expect((err as Error).message).toBe('Redis is not reachable at SSOHUB_TEST_REDIS_URL=redis://127.0.0.1:1. Start it, or unset the variable.');
  });

  it('says how to install Chromium when it is missing', async () => {
    const err = await launchChromium({ spkiHash: 'x', executablePath: '/nonexistent/chromium' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SetupError);
    expect((err as Error).message).toMatch(/Chromium is not installed at \/nonexistent\/chromium\. Install Debian's package \(apt-get install -y chromium\)/);
  });
});
