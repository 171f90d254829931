import type { Command } from 'commander';
import type { CommandContext } from '../../command-context.ts';
import { CliError } from '../../errors/cli-error.ts';
import { EXIT } from '../../errors/exit-codes.ts';
import { renderTable } from '../../output/render-table.ts';

interface AuditEvent {
  id: string;
  time: string;
  type: string;
  actor?: string;
  subject?: string;
  clientId?: string;
  outcome?: string;
}

/**
 * ssohub audit tail [--count n] [--after id] [--follow]: the newest audit events, oldest first.
 * With --json, one JSON object per line (JSON Lines), so --follow can be piped.
 */
export function registerTailAudit(audit: Command, ctx: CommandContext): void {
  audit
    .command('tail')
    .description('print the newest audit events; --follow keeps polling')
    .option('--count <n>', 'how many events (1-1000)', '50')
    .option('--after <id>', 'only events after this id')
    .option('--follow', 'keep printing new events until interrupted')
    .option('--interval <ms>', 'polling interval with --follow', '2000')
    .action(async (flags: { count: string; after?: string; follow?: boolean; interval: string }, cmd: Command) => {
      const count = Number(flags.count);
      if (!Number.isInteger(count) || count < 1 || count > 1000) throw new CliError(EXIT.USAGE, `--count must be a whole number from 1 to 1000 (got "${flags.count}")`);
      const admin = ctx.admin(cmd);
      const { json } = ctx.settings(cmd);
      let after = flags.after;
      let first = true;
      for (;;) {
        const query = new URLSearchParams({ count: String(count), ...(after ? { after } : {}) });
        const result = await admin.request<{ events: AuditEvent[]; last: string | null }>('GET', `/admin/audit?${query}`);
        if (json) for (const e of result.events) ctx.io.stdout(`${JSON.stringify(e)}\n`);
        else if (result.events.length > 0 || first) {
          const table = renderTable(
            ['TIME', 'TYPE', 'OUTCOME', 'ACTOR', 'SUBJECT', 'CLIENT'],
            result.events.map((e) => [e.time, e.type, e.outcome, e.actor, e.subject, e.clientId]),
          );
          ctx.io.stdout(first ? table : table.split('\n').slice(1).join('\n'));
        }
        after = result.last ?? after;
        first = false;
        if (!flags.follow) return;
        await new Promise((r) => setTimeout(r, Number(flags.interval) || 2000));
      }
    });
}
