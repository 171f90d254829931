import { CliError } from '../errors/cli-error.ts';
import { EXIT } from '../errors/exit-codes.ts';
import { readTextFile } from './read-text-file.ts';

/**
 * Reads KEY=VALUE lines as systemd's EnvironmentFile= and compose's env_file read them: `#`
 * comments, blank lines, an optional `export `, values optionally in single or double quotes.
 * No variable expansion: neither reader of the hub's own env file expands either.
 */
export async function readEnvFile(path: string): Promise<Record<string, string>> {
  const text = await readTextFile(path, 'the environment file');
  const env: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) throw new CliError(EXIT.USAGE, `${path}:${i + 1} is not a KEY=VALUE line`);
    let value = match[2]!;
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.length >= 2 && value.endsWith(quote)) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, '');
    env[match[1]!] = value;
  });
  return env;
}
