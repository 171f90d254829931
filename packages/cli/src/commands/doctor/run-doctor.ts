import type { Command } from 'commander';
import type { CommandContext } from '../../command-context.ts';
import { CliError } from '../../errors/cli-error.ts';
import { EXIT, type ExitCode } from '../../errors/exit-codes.ts';
import { print } from '../../output/output.ts';

export interface DoctorCheck {
  id: string;
  verdict: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

interface DoctorAnswer {
  checks: DoctorCheck[];
  [fact: string]: unknown;
}

/**
 * ssohub doctor: checks a running deployment. The CLI checks that the admin API answers and
 * accepts the token; the hub checks the rest (/admin/doctor). Kratos' `DSN`,
 * `SESSION_COOKIE_NAME` and `SERVE_PUBLIC_BASE_URL` variables, when set in the doctor's
 * environment (the DSN also with --kratos-dsn), are passed along so the report can say whether
 * they override the config files.
 */
export function registerDoctor(program: Command, ctx: CommandContext): void {
  program
    .command('doctor')
    .description('check the deployment: hub config, Kratos and its database, Redis, issuer, cookies, keys, clocks, clients')
    .option('--kratos-dsn <dsn>', "Kratos' DSN environment variable, if Kratos runs with one (default: $DSN)")
    .option('--strict', 'exit 1 on warnings too')
    .action(async (flags: { kratosDsn?: string; strict?: boolean }, cmd: Command) => {
      const { json, adminUrl } = ctx.settings(cmd);
      const kratosDsnEnv = flags.kratosDsn ?? ctx.io.env.DSN;
      const kratosSessionCookieEnv = ctx.io.env.SESSION_COOKIE_NAME;
      const kratosBaseUrlEnv = ctx.io.env.SERVE_PUBLIC_BASE_URL;
      const checks: DoctorCheck[] = [];
      let answer: DoctorAnswer | undefined;
      let exitCode: ExitCode = EXIT.OK;
      try {
        answer = await ctx.admin(cmd).request<DoctorAnswer>('POST', '/admin/doctor', {
          ...(kratosDsnEnv ? { kratosDsnEnv } : {}),
          ...(kratosSessionCookieEnv ? { kratosSessionCookieEnv } : {}),
          ...(kratosBaseUrlEnv ? { kratosBaseUrlEnv } : {}),
        });
        checks.push({ id: 'admin.reachable', verdict: 'ok', detail: `admin API answers at ${adminUrl}` }, { id: 'admin.token', verdict: 'ok', detail: 'admin token accepted' });
        checks.push(...answer.checks);
      } catch (err) {
        if (!(err instanceof CliError)) throw err;
        exitCode = err.exitCode;
        if (err.exitCode === EXIT.UNREACHABLE) {
          checks.push({ id: 'admin.reachable', verdict: 'fail', detail: err.message.replace(/: start the hub.*$/, ''), fix: 'start the hub, or set --admin-url / SSOHUB_ADMIN_URL to its admin listener (default http://127.0.0.1:8081)' });
        } else if (err.exitCode === EXIT.AUTH) {
          checks.push(
            { id: 'admin.reachable', verdict: 'ok', detail: `admin API answers at ${adminUrl}` },
            { id: 'admin.token', verdict: 'fail', detail: /no admin token/.test(err.message) ? 'no admin token given' : 'the hub refused the admin token (401)', fix: "set SSOHUB_ADMIN_TOKEN (or --token) to the hub's admin.token" },
          );
        } else {
          checks.push({ id: 'admin.doctor', verdict: 'fail', detail: err.message, fix: "look up the reference in the hub's log" });
        }
      }
      const failed = checks.some((c) => c.verdict === 'fail');
      const warned = checks.some((c) => c.verdict === 'warn');
      const verdict = failed ? 'fail' : warned ? 'warn' : 'ok';
      if (exitCode === EXIT.OK && (failed || (flags.strict && warned))) exitCode = EXIT.CHECK_FAILED;
      print(ctx.io, json, { verdict, ...(answer ?? {}), checks }, () => renderReport(checks, verdict));
      throw new DoctorFinished(exitCode);
    });
}

/** Ends the doctor command with its exit code after the report was printed. */
export class DoctorFinished extends Error {
  readonly exitCode: ExitCode;
  constructor(exitCode: ExitCode) {
    super('doctor finished');
    this.exitCode = exitCode;
  }
}

const MARK = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const;

function renderReport(checks: DoctorCheck[], verdict: string): string {
  const width = Math.max(...checks.map((c) => c.id.length));
  const lines = checks.flatMap((c) => [
    `${MARK[c.verdict]}  ${c.id.padEnd(width)}  ${c.detail}`,
    ...(c.fix && c.verdict !== 'ok' ? [`${' '.repeat(width + 8)}fix: ${c.fix}`] : []),
  ]);
  const counts = (['ok', 'warn', 'fail'] as const).map((v) => `${checks.filter((c) => c.verdict === v).length} ${v}`).join(', ');
  return `${lines.join('\n')}\n\n${verdict === 'ok' ? 'All checks passed' : verdict === 'warn' ? 'Passed with warnings' : 'Some checks FAILED'} (${counts}).\n`;
}
