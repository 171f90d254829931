import type { Command } from 'commander';
import type { CommandContext } from '../../command-context.ts';
import { print } from '../../output/output.ts';

/** ssohub backchannel retry <id>: a pending delivery is tried at once, a failed one queued again. */
export function registerRetryDelivery(backchannel: Command, ctx: CommandContext): void {
  backchannel
    .command('retry <id>')
    .description('retry a back-channel delivery now: a pending one is tried at once, a failed one is queued again as a fresh attempt')
    .action(async (id: string, _flags: unknown, cmd: Command) => {
      const result = await ctx.admin(cmd).request<{ id: string; result: 'queued' }>('POST', `/admin/backchannel/deliveries/${encodeURIComponent(id)}/retry`);
      print(ctx.io, ctx.settings(cmd).json, result, () => `Queued delivery ${result.id} for an attempt now. Follow it with: ssohub backchannel list\n`);
    });
}
