import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AdminClient, DEFAULT_ADMIN_URL } from './admin/admin-client.ts';
import { CliError } from './errors/cli-error.ts';
import { EXIT } from './errors/exit-codes.ts';
import type { Io } from './io.ts';

export interface GlobalOptions {
  adminUrl?: string;
  token?: string;
  json?: boolean;
}

/** What every command needs: the io, the admin client and the output mode, from global options. */
export interface CommandContext {
  io: Io;
  /** Global options resolved against the environment (SSOHUB_ADMIN_URL, SSOHUB_ADMIN_TOKEN). */
  settings(cmd: Command): { adminUrl: string; token: string | undefined; json: boolean };
  admin(cmd: Command): AdminClient;
}

export function createCommandContext(io: Io): CommandContext {
  const settings = (cmd: Command) => {
    const o = cmd.optsWithGlobals<GlobalOptions>();
    return {
      adminUrl: o.adminUrl ?? io.env.SSOHUB_ADMIN_URL ?? DEFAULT_ADMIN_URL,
      token: o.token ?? io.env.SSOHUB_ADMIN_TOKEN ?? tokenFromFile(io.env.SSOHUB_ADMIN_TOKEN_FILE),
      json: o.json === true,
    };
  };
  return {
    io,
    settings,
    admin(cmd) {
      const s = settings(cmd);
      return new AdminClient({ adminUrl: s.adminUrl, token: s.token, actor: io.user });
    },
  };
}

/**
 * The hub's own SSOHUB_ADMIN_TOKEN_FILE, so `ssohub` run inside a hub container or beside a hub's
 * systemd credentials (`docker compose exec hub-1 ssohub doctor`) finds the token without it ever
 * being in an environment variable or on a command line.
 */
function tokenFromFile(path: string | undefined): string | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path, 'utf8').trim() || undefined;
  } catch (err) {
    throw new CliError(EXIT.AUTH, `could not read the admin token from SSOHUB_ADMIN_TOKEN_FILE=${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
}
