import type { Command } from 'commander';
import { AdminClient, DEFAULT_ADMIN_URL } from './admin/admin-client.ts';
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
      token: o.token ?? io.env.SSOHUB_ADMIN_TOKEN,
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
