import { readFile } from 'node:fs/promises';
import { CliError } from '../errors/cli-error.ts';
import { EXIT } from '../errors/exit-codes.ts';

/** Reads a file the operator named, or ends the command with a message that names it. */
export async function readTextFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new CliError(code === 'ENOENT' ? EXIT.NOT_FOUND : EXIT.USAGE, `could not read ${what} ${path}: ${why}`, { cause: err });
  }
}
