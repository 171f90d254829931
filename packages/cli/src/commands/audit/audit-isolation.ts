import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CommandContext } from '../../command-context.ts';
import { CliError } from '../../errors/cli-error.ts';
import { EXIT, type ExitCode } from '../../errors/exit-codes.ts';
import type { AppTarget, AuditTarget } from '../../isolation/audit-context.ts';
import { renderHtml, renderJson, renderMarkdown } from '../../isolation/render-report.ts';
import { type IsolationReport, reportFailed } from '../../isolation/report.ts';
import { runIsolationAudit } from '../../isolation/run-isolation-audit.ts';

type Format = 'md' | 'json' | 'html';
const RENDER: Record<Format, (r: IsolationReport) => string> = { md: renderMarkdown, json: renderJson, html: renderHtml };

/** AuditFinished carries the audit's exit code out of commander: 1 when a check failed, else 0. */
export class AuditFinished extends Error {
  readonly exitCode: ExitCode;
  constructor(exitCode: ExitCode) {
    super(`isolation audit finished with exit code ${exitCode}`);
    this.exitCode = exitCode;
  }
}

interface Flags {
  hub?: string;
  issuer?: string;
  app: string[];
  testUser?: string;
  format?: string;
  out?: string;
}

/**
 * ssohub audit isolation --hub URL [--issuer URL] [--app URL[,client=ID][,api=/path][,login=/path]]...
 * [--test-user email:password] [--format md|json|html] [--out FILE]: checks a live deployment from
 * the outside and writes the report (stdout, or --out); exit 1 when a check failed. With the
 * global --admin-url/--token it also reads the client registry and signs in a temporary client.
 */
export function registerAuditIsolation(audit: Command, ctx: CommandContext): void {
  audit
    .command('isolation')
    .description("audit session isolation of a live hub and its client apps; report in Markdown, JSON or HTML; exit 1 if a check failed")
    .option('--hub <url>', 'origin of the login domain, e.g. https://login.example.com')
    .option('--issuer <url>', 'the OIDC issuer (default: <hub>/oidc)')
    .option('--app <spec>', 'a client app: URL[,client=ID][,api=/api/me][,login=/auth/login] (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--test-user <email:password>', 'a dedicated test account for the sign-in probes (env SSOHUB_AUDIT_TEST_USER)')
    .option('--format <format>', 'md, json or html (default: from --out extension, else md)')
    .option('--out <file>', 'write the report to this file instead of stdout')
    .addHelpText('after', '\nUses the global --admin-url and --token (or SSOHUB_ADMIN_URL, SSOHUB_ADMIN_TOKEN) when a token is set.\nExit codes: 0 no check failed, 1 a check failed, 2 usage error.\n')
    .action(async (flags: Flags, cmd: Command) => {
      const settings = ctx.settings(cmd);
      const target = buildTarget(flags, settings, ctx.io.env);
      const format = pickFormat(flags, settings.json);
      const { stderr } = ctx.io;
      stderr(`Auditing ${target.hubUrl} (issuer ${target.issuer})${target.apps.length ? ` and ${target.apps.length} app(s)` : ''}${target.adminToken ? ', with the admin API' : ', without the admin API'}\n`);
      const report = await runIsolationAudit({
        ...target,
        onCheck: (c) => stderr(`  ${c.verdict.toUpperCase().padEnd(4)} ${c.id}  ${c.target}\n`),
      });
      const text = RENDER[format](report);
      if (flags.out) {
        await writeFile(flags.out, text);
        stderr(`Report written to ${flags.out} (${format})\n`);
      } else ctx.io.stdout(text);
      const s = report.summary;
      stderr(`${s.pass} passed, ${s.fail} failed, ${s.warn} warnings, ${s.skip} skipped\n`);
      throw new AuditFinished(reportFailed(report) ? EXIT.CHECK_FAILED : EXIT.OK);
    });
}

function pickFormat(flags: Flags, json: boolean): Format {
  const f = flags.format ?? (flags.out ? /\.(md|json|html)$/i.exec(flags.out)?.[1]?.toLowerCase() : undefined) ?? (json ? 'json' : 'md');
  if (f === 'markdown') return 'md';
  if (f !== 'md' && f !== 'json' && f !== 'html') throw new CliError(EXIT.USAGE, `--format must be md, json or html (got "${f}")`);
  return f;
}

function httpUrl(flag: string, value: string): URL {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new CliError(EXIT.USAGE, `${flag} must be an absolute URL such as https://login.example.com (got "${value}")`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new CliError(EXIT.USAGE, `${flag} must be an http(s) URL (got "${value}")`);
  return u;
}

/** Turns the flags into the audit target; every mistake is a usage error (exit 2). */
export function buildTarget(flags: Flags, settings: { adminUrl: string; token: string | undefined }, env: Record<string, string | undefined>): AuditTarget {
  if (!flags.hub) throw new CliError(EXIT.USAGE, 'say which hub to audit: --hub https://login.example.com');
  const hubUrl = httpUrl('--hub', flags.hub).origin;
  const issuer = flags.issuer ? httpUrl('--issuer', flags.issuer).href.replace(/\/+$/, '') : `${hubUrl}/oidc`;
  const apps = flags.app.map(parseApp);
  const rawUser = flags.testUser ?? env.SSOHUB_AUDIT_TEST_USER;
  let testUser: AuditTarget['testUser'];
  if (rawUser) {
    const colon = rawUser.indexOf(':');
    if (colon <= 0 || colon === rawUser.length - 1) throw new CliError(EXIT.USAGE, '--test-user must be email:password');
    testUser = { email: rawUser.slice(0, colon), password: rawUser.slice(colon + 1) };
  }
  return {
    hubUrl,
    issuer,
    adminUrl: settings.token ? settings.adminUrl.replace(/\/+$/, '') : undefined,
    adminToken: settings.token,
    apps,
    testUser,
  };
}

/** Parses `URL[,client=ID][,api=/path][,login=/path]`. */
export function parseApp(spec: string): AppTarget {
  const [url = '', ...parts] = spec.split(',');
  const app: AppTarget = { url: httpUrl('--app', url).href.replace(/\/+$/, ''), clientId: undefined, loginPath: '/auth/login', apiPath: undefined };
  for (const part of parts) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (eq <= 0 || !value) throw new CliError(EXIT.USAGE, `--app ${spec}: expected key=value after the URL, got "${part}"`);
    if (key === 'client') app.clientId = value;
    else if (key === 'api' || key === 'login') {
      if (!value.startsWith('/')) throw new CliError(EXIT.USAGE, `--app ${spec}: ${key} must be a path starting with / (got "${value}")`);
      if (key === 'api') app.apiPath = value;
      else app.loginPath = value;
    } else throw new CliError(EXIT.USAGE, `--app ${spec}: unknown key "${key}" (use client=, api= or login=)`);
  }
  return app;
}
