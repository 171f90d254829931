import type { Command } from 'commander';
import type { CommandContext } from '../../command-context.ts';
import { print } from '../../output/output.ts';
import { renderTable } from '../../output/render-table.ts';

export interface SessionsAnswer {
  identity: { id: string; email?: string };
  sessions: {
    id: string;
    authenticatedAt?: string;
    expiresAt?: string;
    aal?: string;
    methods: string[];
    clients: string[];
    providerSessions: { uid: string; clients: { clientId: string; sid: string }[] }[];
  }[];
}

/** ssohub sessions list <user>: a user's Kratos sessions and the clients each one reached. */
export function registerListSessions(sessions: Command, ctx: CommandContext): void {
  sessions
    .command('list <user>')
    .description("list a user's sessions (by email or identity id) and the clients each reached")
    .action(async (user: string, _flags: unknown, cmd: Command) => {
      const result = await ctx.admin(cmd).request<SessionsAnswer>('GET', `/admin/identities/${encodeURIComponent(user)}/sessions`);
      print(ctx.io, ctx.settings(cmd).json, result, () => {
        const who = `${result.identity.email ?? '(no email)'} (${result.identity.id})`;
        if (result.sessions.length === 0) return `${who} has no active session.\n`;
        return `${who}\n${renderTable(
          ['SESSION', 'SIGNED IN', 'EXPIRES', 'AAL', 'METHODS', 'CLIENTS'],
          result.sessions.map((s) => [s.id, s.authenticatedAt, s.expiresAt, s.aal, s.methods.join(','), s.clients.join(', ') || 'none']),
        )}`;
      });
    });
}
