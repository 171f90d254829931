import type { Command } from 'commander';
import type { CommandContext } from '../../command-context.ts';
import { CliError } from '../../errors/cli-error.ts';
import { EXIT } from '../../errors/exit-codes.ts';
import { print } from '../../output/output.ts';
import { renderTable } from '../../output/render-table.ts';

/** The route's MAX_COUNT (hub admin/audit-routes.ts): checked here so a typo fails before any request. */
const MAX_LIMIT = 1000;
const EVENT_ID = /^[0-9]+-[0-9]+$/;
const RELATIVE = /^(\d+)([smhd])$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** Shown in the table's own columns; everything else goes, compact, into DETAILS. */
const COLUMNS = new Set(['id', 'time', 'type', 'actor', 'subject', 'clientId', 'outcome']);

interface AuditEvent {
  id: string;
  time: string;
  type: string;
  actor?: string;
  subject?: string;
  clientId?: string;
  outcome?: string;
  [key: string]: unknown;
}

interface SearchFlags {
  actor?: string;
  subject?: string;
  client?: string;
  type?: string;
  since?: string;
  until?: string;
  limit?: string;
  before?: string;
}

/**
 * A --since/--until value: a relative age (`15m`, `2h`, `7d`, `30s`: that long before `now`) or an
 * ISO 8601 time. `param` is what the hub is sent: an ISO time is passed as written, so the hub
 * reads a zoneless time as UTC and a time to the minute as that whole minute for --until, as the
 * console does; `ms` is for comparing the two bounds here. Throws a usage error naming the option.
 */
export function parseSearchTime(option: '--since' | '--until', value: string, now: number): { param: string; ms: number } {
  const v = value.trim();
  const relative = RELATIVE.exec(v);
  if (relative) {
    const ms = now - Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS];
    return { param: new Date(ms).toISOString(), ms };
  }
  // Only ISO forms: Date.parse also reads "Dec 6" or "6/12/2026", in the local zone, ambiguously.
  const zoneless = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v);
  const ms = /^\d{4}-\d{2}-\d{2}/.test(v) ? Date.parse(zoneless ? `${v}Z` : v) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new CliError(EXIT.USAGE, `${option} must be an ISO 8601 time (2026-12-06T09:30:00Z; without a zone it is UTC) or an age such as 30s, 15m, 2h, 7d (got "${value}")`);
  }
  return { param: v, ms: zoneless && option === '--until' && v.length === 16 ? ms + 59_999 : ms };
}

/**
 * ssohub audit search [--actor a] [--subject s] [--client c] [--type t] [--since time]
 * [--until time] [--limit n] [--before id]: audit events matching every filter, newest first,
 * one page at a time (GET /admin/audit/search). With --json, the route's answer as it is.
 */
export function registerSearchAudit(audit: Command, ctx: CommandContext): void {
  audit
    .command('search')
    .description('find audit events by actor, subject, client, type and time, newest first, a page at a time')
    .option('--actor <actor>', 'who acted: an identity id, admin:<name>, console:<name>, client:<id>, system or an IP')
    .option(
      '--subject <subject>',
      'whom it concerns, as events record it: an identity id, session id or client id. A full email is refused: events keep sign-in identifiers only masked, so give the masked form (a***@example.com) or the identity id (ssohub users find <email>)',
    )
    .option('--client <id>', 'the client id the event concerns')
    .option('--type <type>', 'event type, e.g. user.disabled (docs/events.md)')
    .option('--since <time>', 'events at or after this time: ISO 8601 (UTC without a zone) or an age: 30s, 15m, 2h, 7d')
    .option('--until <time>', 'events at or before this time, same forms as --since')
    .option('--limit <n>', `at most this many events per page (1-${MAX_LIMIT}, the hub's 100 when left out)`)
    .option('--before <id>', 'the next, older page: the id the previous page printed ("next" with --json)')
    .addHelpText('after', '\n--actor, --subject, --client and --type match the whole value, or its beginning when ending with * (--type "user.*").\n')
    .action(async (flags: SearchFlags, cmd: Command) => {
      const query = searchQuery(flags, Date.now()).toString();
      const result = await ctx.admin(cmd).request<{ events: AuditEvent[]; next: string | null }>('GET', `/admin/audit/search${query ? `?${query}` : ''}`);
      print(ctx.io, ctx.settings(cmd).json, result, () => renderSearch(result));
    });
}

/** The route's query string, every option checked first: a bad one is a usage error naming it. */
function searchQuery(flags: SearchFlags, now: number): URLSearchParams {
  if (flags.limit !== undefined && !(/^[1-9]\d*$/.test(flags.limit) && Number(flags.limit) <= MAX_LIMIT)) {
    throw new CliError(EXIT.USAGE, `--limit must be a whole number from 1 to ${MAX_LIMIT} (got "${flags.limit}")`);
  }
  if (flags.before !== undefined && !EVENT_ID.test(flags.before)) {
    throw new CliError(EXIT.USAGE, `--before must be an event id as a previous page printed it, e.g. 1718000000000-0 (got "${flags.before}")`);
  }
  // The hub matches subject literally and records identifiers masked (docs/events.md): a full
  // address would silently match nothing.
  if (flags.subject?.includes('@') && !flags.subject.includes('***')) {
    const at = flags.subject.lastIndexOf('@');
    throw new CliError(
      EXIT.USAGE,
      `--subject "${flags.subject}" would match nothing: events keep a sign-in identifier only masked. Give --subject "${flags.subject[0]}***${flags.subject.slice(at)}", or the identity id (ssohub users find ${flags.subject})`,
    );
  }
  const since = flags.since === undefined ? undefined : parseSearchTime('--since', flags.since, now);
  const until = flags.until === undefined ? undefined : parseSearchTime('--until', flags.until, now);
  if (since && until && since.ms > until.ms) {
    throw new CliError(EXIT.USAGE, `--since (${flags.since}) is after --until (${flags.until}): no event can match`);
  }
  const params = new URLSearchParams();
  const set = (key: string, value: string | undefined) => {
    if (value !== undefined && value !== '') params.set(key, value);
  };
  set('actor', flags.actor);
  set('subject', flags.subject);
  set('client', flags.client);
  set('type', flags.type);
  set('from', since?.param);
  set('to', until?.param);
  set('before', flags.before);
  set('count', flags.limit);
  return params;
}

function renderSearch(result: { events: AuditEvent[]; next: string | null }): string {
  const more = result.next ? `More, older events may match: add --before ${result.next}\n` : '';
  if (result.events.length === 0) return `No audit event matches.\n${more}`;
  const table = renderTable(
    ['TIME', 'TYPE', 'ACTOR', 'SUBJECT', 'CLIENT', 'OUTCOME', 'DETAILS'],
    result.events.map((e) => [e.time, e.type, e.actor, e.subject, e.clientId, e.outcome, details(e)]),
  );
  return `${table}${more}`;
}

/** The event's other fields as `key=value`, objects and arrays as JSON, so a row stays one line. */
function details(event: AuditEvent): string | undefined {
  const rest = Object.entries(event).filter(([k, v]) => !COLUMNS.has(k) && v !== undefined);
  if (rest.length === 0) return undefined;
  return rest.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
}
