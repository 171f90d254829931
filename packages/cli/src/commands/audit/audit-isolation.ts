import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CommandContext } from '../../command-context.ts';
import { CliError } from '../../errors/cli-error.ts';
import { EXIT, type ExitCode } from '../../errors/exit-codes.ts';
import type { AppTarget, AuditTarget } from '../../isolation/audit-context.ts';
import { compareWithBaseline, parseBaseline } from '../../isolation/baseline.ts';
import { mark, renderHtml, renderJson, renderMarkdown, renderText, summaryLine } from '../../isolation/render-report.ts';
import { renderSarif } from '../../isolation/render-sarif.ts';
import { type IsolationReport, reportFailed, SEVERITIES, type Severity } from '../../isolation/report.ts';
import { runIsolationAudit } from '../../isolation/run-isolation-audit.ts';

type Format = 'text' | 'md' | 'json' | 'sarif' | 'html';
const RENDER: Record<Format, (r: IsolationReport) => string> = { text: renderText, md: renderMarkdown, json: renderJson, sarif: renderSarif, html: renderHtml };
const FORMATS = Object.keys(RENDER) as Format[];

/** AuditFinished carries the audit's exit code out of commander (see `auditExitCode`). */
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
  sarif?: string;
  failOn?: string;
  strict?: boolean;
  baseline?: string;
  skip: string[];
  browser?: boolean;
}

/**
 * The exit status of an audit: 5 when the hub did not answer at all (nothing was audited), 1 when
 * a check failed at or above `failOn` (or, with `strict`, a check was inconclusive), else 0.
 * Inconclusive and skipped checks never count as failures otherwise.
 */
export function auditExitCode(report: IsolationReport, failOn: Severity | 'none', strict: boolean): ExitCode {
  if (!report.context.hubReachable) return EXIT.UNREACHABLE;
  if (reportFailed(report, failOn)) return EXIT.CHECK_FAILED;
  if (strict && report.summary.inconclusive > 0) return EXIT.CHECK_FAILED;
  return EXIT.OK;
}

const repeat = (v: string, all: string[]) => [...all, v];

/**
 * ssohub audit isolation --hub URL [--issuer URL] [--app URL[,client=ID][,api=/path][,login=/path][,session=/path]]...
 * [--test-user email:password] [--format text|md|json|sarif|html] [--out FILE] [--sarif FILE]
 * [--fail-on SEVERITY] [--strict] [--baseline report.json] [--skip ID]...: checks a live
 * deployment from the outside and writes the report (stdout, or --out). With the global
 * --admin-url/--token it also reads the client registry and signs in a temporary client.
 */
export function registerAuditIsolation(audit: Command, ctx: CommandContext): void {
  audit
    .command('isolation')
    .description('audit session isolation of a live hub and its client apps; report as text, Markdown, JSON, SARIF or HTML; exit 1 if a check failed at or above --fail-on')
    .option('--hub <url>', 'origin of the login domain, e.g. https://login.example.com')
    .option('--issuer <url>', 'the OIDC issuer (default: <hub>/oidc)')
    .option('--app <spec>', 'a client app: URL[,client=ID][,api=/api/me][,login=/auth/login][,session=/account] (repeatable; session= is a page that needs the app session, for the logout proof)', repeat, [] as string[])
    .option('--test-user <email:password>', 'a dedicated test account for the sign-in probes (env SSOHUB_AUDIT_TEST_USER)')
    .option('--format <format>', 'text, md, json, sarif or html (default: from --out extension, else json with --json, else text)')
    .option('--out <file>', 'write the report to this file instead of stdout')
    .option('--sarif <file>', 'also write the report as SARIF 2.1.0 to this file (for code scanning)')
    .option('--fail-on <severity>', `exit 1 when a check fails at or above this severity: ${SEVERITIES.join(', ')} or none`, 'low')
    .option('--strict', 'exit 1 also when a check is inconclusive')
    .option('--baseline <file>', 'a previous JSON report: show new failures, fixed checks and verdict changes')
    .option('--browser', 'sign in with headless Chromium for the live checks (cookie map, logout proofs); needs Chromium and playwright-core')
    .option('--skip <id>', 'do not run this check (an id, or a prefix ending in a dot such as app.backchannel.); repeatable', repeat, [] as string[])
    .addHelpText(
      'after',
      '\nUses the global --admin-url and --token (or SSOHUB_ADMIN_URL, SSOHUB_ADMIN_TOKEN) when a token is set.\nExit codes: 0 no check failed at or above --fail-on, 1 one did (or, with --strict, a check was inconclusive), 2 usage error, 5 the hub did not answer.\n',
    )
    .action(async (flags: Flags, cmd: Command) => {
      const settings = ctx.settings(cmd);
      const target = buildTarget(flags, settings, ctx.io.env);
      const format = pickFormat(flags, settings.json);
      const failOn = pickFailOn(flags.failOn);
      const baseline = flags.baseline ? await readBaseline(flags.baseline) : undefined;
      const { stderr } = ctx.io;
      stderr(`Auditing ${target.hubUrl} (issuer ${target.issuer})${target.apps.length ? ` and ${target.apps.length} app(s)` : ''}${target.adminToken ? ', with the admin API' : ', without the admin API'}\n`);
      const report = await runIsolationAudit(
        { ...target, skip: flags.skip, ...(flags.browser ? { browser: true } : {}), onCheck: (c) => stderr(`  ${mark(c)} ${c.id}  ${c.target}\n`) },
        { options: givenOptions(flags, settings), failOn },
      );
      if (baseline) report.baseline = compareWithBaseline(report, baseline, flags.baseline!);
      const text = RENDER[format](report);
      if (flags.out) {
        await writeOut('--out', flags.out, text);
        stderr(`Report written to ${flags.out} (${format})\n`);
      } else ctx.io.stdout(text);
      if (flags.sarif) {
        await writeOut('--sarif', flags.sarif, renderSarif(report));
        stderr(`SARIF written to ${flags.sarif}\n`);
      }
      if (report.baseline) {
        const b = report.baseline;
        stderr(`Since the baseline: ${b.newFails.length} new failure(s), ${b.fixed.length} fixed, ${b.changed.length} other verdict change(s)\n`);
      }
      stderr(`${summaryLine(report)}\n`);
      const code = auditExitCode(report, failOn, flags.strict === true);
      if (code === EXIT.UNREACHABLE) stderr(`The hub did not answer at ${target.issuer}/.well-known/openid-configuration: nothing was audited (exit 5).\n`);
      throw new AuditFinished(code);
    });
}

async function writeOut(flag: string, file: string, text: string): Promise<void> {
  try {
    await writeFile(file, text);
  } catch (err) {
    throw new CliError(EXIT.USAGE, `${flag} ${file}: cannot write the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

async function readBaseline(file: string) {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(EXIT.USAGE, `--baseline ${file}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    return parseBaseline(text);
  } catch (err) {
    throw new CliError(EXIT.USAGE, `--baseline ${file} ${(err as Error).message}`);
  }
}

function pickFailOn(value: string | undefined): Severity | 'none' {
  const v = (value ?? 'low').toLowerCase();
  if (v === 'none' || (SEVERITIES as string[]).includes(v)) return v as Severity | 'none';
  throw new CliError(EXIT.USAGE, `--fail-on must be one of ${SEVERITIES.join(', ')} or none (got "${value}")`);
}

/** The options of the run for the report's context: what was given, never a password or token. */
function givenOptions(flags: Flags, settings: { adminUrl: string; token: string | undefined }): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (flags.hub) out['--hub'] = flags.hub;
  if (flags.issuer) out['--issuer'] = flags.issuer;
  if (flags.app.length) out['--app'] = flags.app;
  if (flags.testUser) out['--test-user'] = `${flags.testUser.slice(0, flags.testUser.indexOf(':'))}:[redacted]`;
  if (settings.token) {
    out['--admin-url'] = settings.adminUrl;
    out['--token'] = '[redacted]';
  }
  for (const [k, v] of [['--format', flags.format], ['--out', flags.out], ['--sarif', flags.sarif], ['--fail-on', flags.failOn], ['--baseline', flags.baseline]] as const) if (v) out[k] = v;
  if (flags.strict) out['--strict'] = 'true';
  if (flags.browser) out['--browser'] = 'true';
  if (flags.skip.length) out['--skip'] = flags.skip;
  return out;
}

function pickFormat(flags: Flags, json: boolean): Format {
  const fromOut = flags.out ? /\.(md|json|html|sarif|txt)$/i.exec(flags.out)?.[1]?.toLowerCase() : undefined;
  const f = flags.format ?? (fromOut === 'txt' ? 'text' : fromOut) ?? (json ? 'json' : 'text');
  if (f === 'markdown') return 'md';
  if (!(FORMATS as string[]).includes(f)) throw new CliError(EXIT.USAGE, `--format must be one of ${FORMATS.join(', ')} (got "${f}")`);
  return f as Format;
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

/** Parses `URL[,client=ID][,api=/path][,login=/path][,session=/path]`. */
export function parseApp(spec: string): AppTarget {
  const [url = '', ...parts] = spec.split(',');
  const app: AppTarget = { url: httpUrl('--app', url).href.replace(/\/+$/, ''), clientId: undefined, loginPath: '/auth/login', apiPath: undefined };
  for (const part of parts) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (eq <= 0 || !value) throw new CliError(EXIT.USAGE, `--app ${spec}: expected key=value after the URL, got "${part}"`);
    if (key === 'client') app.clientId = value;
    else if (key === 'api' || key === 'login' || key === 'session') {
      if (!value.startsWith('/')) throw new CliError(EXIT.USAGE, `--app ${spec}: ${key} must be a path starting with / (got "${value}")`);
      if (key === 'api') app.apiPath = value;
      else if (key === 'session') app.sessionPath = value;
      else app.loginPath = value;
    } else throw new CliError(EXIT.USAGE, `--app ${spec}: unknown key "${key}" (use client=, api=, login= or session=)`);
  }
  return app;
}
