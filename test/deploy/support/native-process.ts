import { type ChildProcess, spawn } from 'node:child_process';

/** A long-running process of the deployment (Kratos, a hub, Caddy, an app), with its last output. */
export interface NativeProcess {
  name: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/**
 * Starts a process with exactly the environment given (plus PATH and HOME), the way a supervisor
 * (systemd, a container runtime) starts it: nothing of the test's own environment leaks in.
 */
export function startProcess(name: string, command: string, args: string[], env: Record<string, string>, cwd?: string): NativeProcess {
  const child = spawn(command, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line) continue;
      lines.push(line);
      if (lines.length > 300) lines.shift();
    }
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  return {
    name,
    child,
    output: () => lines.join('\n'),
    async stop(graceMs = 12_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Runs a command to completion; throws with its output when it fails. */
export async function runToEnd(name: string, command: string, args: string[], env: Record<string, string>, cwd?: string, timeoutMs = 300_000): Promise<string> {
  const p = startProcess(name, command, args, env, cwd);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => p.child.once('close', (c) => resolve(c)));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${name} (${command} ${args.join(' ')}) exited with ${code}:\n${p.output().split('\n').slice(-40).join('\n')}`);
  return p.output();
}

/** Waits for an HTTP(S) URL to answer 200, failing at once with the process' output if it exits. */
export async function waitForHttp(p: NativeProcess, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (p.child.exitCode !== null || p.child.signalCode !== null) {
      throw new Error(`${p.name} exited (${p.child.exitCode ?? p.child.signalCode}) before ${url} answered\n--- ${p.name} output ---\n${p.output().split('\n').slice(-40).join('\n')}`);
    }
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) }).catch((err: Error) => err);
    if (!(res instanceof Error) && res.status === 200) return;
    last = res instanceof Error ? res.message : `status ${res.status}`;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${p.name} at ${url} (${last})\n--- ${p.name} output ---\n${p.output().split('\n').slice(-40).join('\n')}`);
}
