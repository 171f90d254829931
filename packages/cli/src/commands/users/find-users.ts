import type { Command } from 'commander';
import type { CommandContext } from '../../command-context.ts';
import { CliError } from '../../errors/cli-error.ts';
import { EXIT } from '../../errors/exit-codes.ts';
import { print } from '../../output/output.ts';
import { renderUserTable, type UserSummary } from './user-view.ts';

/** The hub's FIND_MAX_LIMIT (users/user-admin.ts): checked here so a typo fails before any request. */
const MAX_LIMIT = 100;

/** ssohub users find <query> [--limit n]: users by identity id, email, or the start of an email. */
export function registerFindUsers(users: Command, ctx: CommandContext): void {
  users
    .command('find <query>')
    .description('find users by identity id, email, or the start of an email')
    .option('--limit <n>', `at most this many users (1-${MAX_LIMIT}, the hub's default when left out)`)
    .action(async (query: string, flags: { limit?: string }, cmd: Command) => {
      if (flags.limit !== undefined && !(/^[1-9]\d*$/.test(flags.limit) && Number(flags.limit) <= MAX_LIMIT)) {
        throw new CliError(EXIT.USAGE, `--limit must be a whole number from 1 to ${MAX_LIMIT} (got "${flags.limit}")`);
      }
      const params = new URLSearchParams({ query, ...(flags.limit ? { limit: flags.limit } : {}) });
      const result = await ctx.admin(cmd).request<{ users: UserSummary[] }>('GET', `/admin/users?${params}`);
      print(ctx.io, ctx.settings(cmd).json, result, () =>
        result.users.length === 0 ? `No user matches "${query}". Give an identity id, an email, or the start of one.\n` : renderUserTable(result.users),
      );
    });
}
