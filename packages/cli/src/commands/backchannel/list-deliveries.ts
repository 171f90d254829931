import type { Command } from 'commander';
import type { CommandContext } from '../../command-context.ts';
import { print } from '../../output/output.ts';
import { type DeliveriesAnswer, renderDeliveries } from './delivery-view.ts';

/** ssohub backchannel list: back-channel logouts still being tried, and those given up. */
export function registerListDeliveries(backchannel: Command, ctx: CommandContext): void {
  backchannel
    .command('list')
    .description('list back-channel logout deliveries still being tried (pending) and those given up (failed)')
    .action(async (_flags: unknown, cmd: Command) => {
      const result = await ctx.admin(cmd).request<DeliveriesAnswer>('GET', '/admin/backchannel/deliveries');
      print(ctx.io, ctx.settings(cmd).json, result, () => renderDeliveries(result));
    });
}
