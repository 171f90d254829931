import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CliError } from '../errors/cli-error.ts';
import { EXIT } from '../errors/exit-codes.ts';

/**
 * Writes a file that holds secrets: created with mode 0600 (never readable by others, not even
 * for a moment), written in full to a temporary file beside it and then renamed over the target,
 * so a crash or a full disk never leaves a half-written key file behind, and a reader sees either
 * the old file or the new one.
 *
 * Refuses to replace an existing file unless `replace` is set: an overwritten signing key or
 * Kratos cipher secret cannot be recovered (every token it signed, every value it encrypted).
 */
export async function writeSecretFile(path: string, content: string, { replace = false, hint }: { replace?: boolean; hint?: string } = {}): Promise<void> {
  if (!replace && (await exists(path))) {
    throw new CliError(EXIT.CONFLICT, `${path} exists and holds secrets that cannot be recovered once replaced; ${hint ?? 'pass --force to replace it'}`);
  }
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    await handle.writeFile(content);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tmp, path);
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await rm(tmp, { force: true });
    if (err instanceof CliError) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new CliError(EXIT.USAGE, `could not write ${path}: ${e.code === 'ENOENT' ? 'its directory does not exist' : e.code === 'EACCES' ? 'permission denied' : e.message}`, { cause: err });
  }
}

/**
 * Checks every file a command is about to write before it writes any, so a refused run (a file
 * exists, a directory is missing or read-only) leaves nothing half-replaced.
 */
export async function checkWritable(paths: readonly string[], { replace = false, hint }: { replace?: boolean; hint?: string } = {}): Promise<void> {
  for (const path of paths) {
    if (!replace && (await exists(path))) {
      throw new CliError(EXIT.CONFLICT, `${path} exists and holds secrets that cannot be recovered once replaced; ${hint ?? 'pass --force to replace it'}`);
    }
    try {
      await access(dirname(path), constants.W_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new CliError(EXIT.USAGE, `cannot write ${path}: ${code === 'ENOENT' ? 'its directory does not exist' : 'its directory is not writable'}`, { cause: err });
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** 32 random bytes, base64url: 43 characters, above every length the hub and Kratos require. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
