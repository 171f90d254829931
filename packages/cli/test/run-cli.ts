import { main } from '../src/main.ts';

/** Runs `ssohub` in-process with its own environment, as the binary would. */
export async function runCli(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    env,
    user: 'unit',
  });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}
