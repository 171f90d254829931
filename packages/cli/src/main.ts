import { userInfo } from 'node:os';
import { Command, CommanderError } from 'commander';
import { createCommandContext } from './command-context.ts';
import { AuditFinished, registerAuditIsolation } from './commands/audit/audit-isolation.ts';
import { registerSearchAudit } from './commands/audit/search-audit.ts';
import { registerTailAudit } from './commands/audit/tail-audit.ts';
import { registerListDeliveries } from './commands/backchannel/list-deliveries.ts';
import { registerRetryDelivery } from './commands/backchannel/retry-delivery.ts';
import { registerCreateClient } from './commands/clients/create-client.ts';
import { registerDeleteClient } from './commands/clients/delete-client.ts';
import { registerListClients } from './commands/clients/list-clients.ts';
import { registerRotateClientSecret } from './commands/clients/rotate-client-secret.ts';
import { registerShowClient } from './commands/clients/show-client.ts';
import { registerUpdateClient } from './commands/clients/update-client.ts';
import { DoctorFinished, registerDoctor } from './commands/doctor/run-doctor.ts';
import { registerGenerateKeys } from './commands/keys/generate-keys.ts';
import { registerListKeys } from './commands/keys/list-keys.ts';
import { registerRetireKey } from './commands/keys/retire-key.ts';
import { registerRotateKeys } from './commands/keys/rotate-keys.ts';
import { registerWriteKratosConfig } from './commands/kratos/write-kratos-config.ts';
import { registerClearLockout } from './commands/lockouts/clear-lockout.ts';
import { registerListLockouts } from './commands/lockouts/list-lockouts.ts';
import { registerListSessions } from './commands/sessions/list-sessions.ts';
import { registerRevokeSessions } from './commands/sessions/revoke-sessions.ts';
import { registerShowSessions } from './commands/sessions/show-sessions.ts';
import { registerDeleteUser } from './commands/users/delete-user.ts';
import { registerDisableUser } from './commands/users/disable-user.ts';
import { registerEnableUser } from './commands/users/enable-user.ts';
import { registerFindUsers } from './commands/users/find-users.ts';
import { registerResendUserVerification } from './commands/users/resend-user-verification.ts';
import { registerResetUserMfa } from './commands/users/reset-user-mfa.ts';
import { registerShowUser } from './commands/users/show-user.ts';
import { CliError } from './errors/cli-error.ts';
import { EXIT } from './errors/exit-codes.ts';
import type { Io } from './io.ts';

const EXIT_HELP = `
Exit codes: 0 ok, 1 check failed (doctor) or hub error, 2 usage or invalid input, 3 not found,
4 no or wrong admin token, 5 admin API unreachable, 6 conflict. See docs/cli.md.
Environment: SSOHUB_ADMIN_URL, SSOHUB_ADMIN_TOKEN or SSOHUB_ADMIN_TOKEN_FILE (prefer them to --token,
which shows in ps).
`;

/** Builds the `ssohub` command tree: verb-noun commands, one file each, over the admin API. */
export function buildProgram(io: Io): Command {
  const ctx = createCommandContext(io);
  const program = new Command('ssohub')
    .description('Operate an SSO Hub: onboard clients, administer users, manage sessions, lockouts and back-channel deliveries, read the audit trail, check the deployment')
    .option('--admin-url <url>', 'admin API of the hub (env SSOHUB_ADMIN_URL, default http://127.0.0.1:8081)')
    .option('--token <token>', 'admin token (env SSOHUB_ADMIN_TOKEN)')
    .option('--json', 'machine-readable JSON output')
    .addHelpText('after', EXIT_HELP)
    .showHelpAfterError('(run ssohub --help for usage)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();

  const clients = program.command('clients').description('onboard and manage client apps');
  registerCreateClient(clients, ctx);
  registerListClients(clients, ctx);
  registerShowClient(clients, ctx);
  registerUpdateClient(clients, ctx);
  registerRotateClientSecret(clients, ctx);
  registerDeleteClient(clients, ctx);

  const users = program.command('users').description('find users and act on them: disable, enable, delete, reset their second factors, resend verification');
  registerFindUsers(users, ctx);
  registerShowUser(users, ctx);
  registerDisableUser(users, ctx);
  registerEnableUser(users, ctx);
  registerDeleteUser(users, ctx);
  registerResetUserMfa(users, ctx);
  registerResendUserVerification(users, ctx);

  const sessions = program.command('sessions').description("see and end users' sessions across clients");
  registerListSessions(sessions, ctx);
  registerRevokeSessions(sessions, ctx);
  registerShowSessions(sessions, ctx);

  const lockouts = program.command('lockouts').description('see and clear sign-in lockouts');
  registerListLockouts(lockouts, ctx);
  registerClearLockout(lockouts, ctx);

  const backchannel = program.command('backchannel').description("see back-channel logout deliveries to client apps (pending, failed) and retry one now");
  registerListDeliveries(backchannel, ctx);
  registerRetryDelivery(backchannel, ctx);

  const audit = program.command('audit').description('read the audit trail; audit session isolation');
  registerTailAudit(audit, ctx);
  registerSearchAudit(audit, ctx);
  registerAuditIsolation(audit, ctx);

  registerDoctor(program, ctx);

  const keys = program.command('keys').description("make and rotate the hub's signing keys, cookie keys and admin token (files, never the admin API)");
  registerGenerateKeys(keys, ctx);
  registerRotateKeys(keys, ctx);
  registerListKeys(keys, ctx);
  registerRetireKey(keys, ctx);

  const kratos = program.command('kratos').description("write Kratos' site file from the hub's configuration");
  registerWriteKratosConfig(kratos, ctx);

  for (const cmd of [program, clients, users, sessions, lockouts, backchannel, audit, keys, kratos, ...program.commands.flatMap((c) => c.commands)]) {
    cmd.configureOutput({ writeOut: io.stdout, writeErr: io.stderr }).exitOverride();
  }
  return program;
}

/**
 * Runs `ssohub` with the given arguments and returns the exit code (never calls process.exit, so
 * tests run it in-process with their own io).
 */
export async function main(argv: string[], io: Partial<Io> = {}): Promise<number> {
  const full: Io = {
    stdout: io.stdout ?? ((t) => void process.stdout.write(t)),
    stderr: io.stderr ?? ((t) => void process.stderr.write(t)),
    env: io.env ?? process.env,
    user: io.user ?? safeUser(),
  };
  const program = buildProgram(full);
  const json = argv.includes('--json');
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT.USAGE;
    }
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.OK;
  } catch (err) {
    if (err instanceof DoctorFinished) return err.exitCode;
    if (err instanceof AuditFinished) return err.exitCode;
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version') return EXIT.OK;
      // Commander already printed the message (and the help hint).
      return err.code === 'commander.executeSubCommandAsync' ? EXIT.CHECK_FAILED : EXIT.USAGE;
    }
    if (err instanceof CliError) {
      if (json) full.stdout(`${JSON.stringify({ error: { code: err.code, message: err.message, exitCode: err.exitCode } }, null, 2)}\n`);
      else full.stderr(`ssohub: ${err.message}\n`);
      return err.exitCode;
    }
    full.stderr(`ssohub: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
    return EXIT.CHECK_FAILED;
  }
}

function safeUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
