import type { Command } from 'commander';
import type { CommandContext } from '../../command-context.ts';
import { registerUserAction } from './user-action.ts';
import { whoIs } from './user-view.ts';

/** ssohub users verify-resend <user>: sends the address verification message again. */
export function registerResendUserVerification(users: Command, ctx: CommandContext): void {
  registerUserAction(users, ctx, {
    verb: 'verify-resend',
    description: "send a user's address verification message again",
    method: 'POST',
    path: '/verify-resend',
    render: (r) => `Sent a verification message to ${r.sentTo ?? 'their address'} for ${whoIs(r.user)}.\n`,
  });
}
