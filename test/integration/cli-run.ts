import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { main } from '@ssohub/cli';
import { FROM_SOURCE, REPO_ROOT } from '@ssohub/testkit';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (tests pass --json). */
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary CLI JSON output
  json: () => any;
}

/** Runs `ssohub` in-process with its own environment (fast; the same main() the binary runs). */
export async function runCli(args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const out = (t: string) => {
    stdout += t;
  };
  const err = (t: string) => {
    stderr += t;
  };
  const code = await main(args, { stdout: out, stderr: err, env, user: 'cli-test' });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

/** Runs the real binary as a child process, through npm so the pinned Node 24 is used. */
export async function spawnCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  const bin = join(REPO_ROOT, 'packages/cli/bin/ssohub.js');
  const child = spawn('npm', ['exec', '--', 'node', '--import', FROM_SOURCE, bin, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise<number>((resolve) => child.once('close', (c) => resolve(c ?? -1)));
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}
