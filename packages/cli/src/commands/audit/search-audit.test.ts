import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/run-cli.ts';
import { EXIT } from '../../errors/exit-codes.ts';
import { parseSearchTime } from './search-audit.ts';

// `ssohub audit search` in-process against a stand-in admin API that answers as docs/admin-api.md
// ("Audit") says for GET /admin/audit/search, recording each request's URL.

const DISABLED = {
  id: '1765000000000-0',
  time: '2026-12-06T09:30:00.000Z',
  type: 'user.disabled',
  actor: 'admin:ops',
  subject: '5b0f6f0e-0001',
  outcome: 'success',
  endedSessions: 2,
  revokedApps: ['app-a', 'app-b'],
};
const UNLOCKED = { id: '1764999990000-0', time: '2026-12-06T09:29:50.000Z', type: 'guard.unlocked', actor: 'admin:ops', subject: 'a***@example.test', clientId: 'app-a', identifierHash: 'h1' };

let server: Server;
let env: Record<string, string>;
const urls: string[] = [];
let answer: [number, unknown] = [200, { events: [], next: null }];

beforeAll(async () => {
  server = createServer((req, res) => {
    urls.push(req.url ?? '');
    res.writeHead(answer[0], { 'content-type': 'application/json' }).end(JSON.stringify(answer[1]));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  env = { SSOHUB_ADMIN_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, SSOHUB_ADMIN_TOKEN: 'admin-token-for-unit-tests' };
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  urls.length = 0;
  answer = [200, { events: [], next: null }];
});

describe('ssohub audit search', () => {
  it('sends every filter as the route names it and prints a table, the other fields compact, with the next page', async () => {
    answer = [200, { events: [DISABLED, UNLOCKED], next: '1764999990000-0' }];
    const res = await runCli(
      ['audit', 'search', '--actor', 'admin:*', '--subject', 'a***@example.test', '--client', 'app-a', '--type', 'user.*', '--since', '2026-12-06T09:00:00Z', '--until', '2026-12-06T10:00', '--limit', '2', '--before', '1765000000001-0'],
      env,
    );
    expect(res.code, res.stderr).toBe(EXIT.OK);
    const url = new URL(urls[0]!, 'http://x');
    expect(url.pathname).toBe('/admin/audit/search');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      actor: 'admin:*',
      subject: 'a***@example.test',
      client: 'app-a',
      type: 'user.*',
      from: '2026-12-06T09:00:00Z',
      to: '2026-12-06T10:00',
      before: '1765000000001-0',
      count: '2',
    });
    const lines = res.stdout.split('\n');
    expect(lines[0]).toMatch(/^TIME +TYPE +ACTOR +SUBJECT +CLIENT +OUTCOME +DETAILS$/);
    expect(lines[1]).toMatch(/^2026-12-06T09:30:00\.000Z +user\.disabled +admin:ops +5b0f6f0e-0001 +- +success +endedSessions=2 revokedApps=\["app-a","app-b"\]$/);
    expect(lines[2]).toMatch(/^2026-12-06T09:29:50\.000Z +guard\.unlocked +admin:ops +a\*\*\*@example\.test +app-a +- +identifierHash=h1$/);
    expect(res.stdout).toMatch(/add --before 1764999990000-0\n$/);
  });

  it('sends no parameter that was not given, and says so when nothing matches', async () => {
    const res = await runCli(['audit', 'search'], env);
    expect(res.code, res.stderr).toBe(EXIT.OK);
    expect(urls).toEqual(['/admin/audit/search']);
    expect(res.stdout).toBe('No audit event matches.\n');
  });

  it("prints the route's answer as it is with --json", async () => {
    answer = [200, { events: [DISABLED], next: null }];
    const res = await runCli(['audit', 'search', '--type', 'user.disabled', '--json'], env);
    expect(res.code).toBe(EXIT.OK);
    expect(res.json()).toEqual({ events: [DISABLED], next: null });
  });

  it('turns an age into a time that long ago', async () => {
    const before = Date.now();
    await runCli(['audit', 'search', '--since', '2h', '--until', '15m'], env);
    const q = new URL(urls[0]!, 'http://x').searchParams;
    expect(Date.parse(q.get('from')!)).toBeGreaterThanOrEqual(before - 2 * 3_600_000);
    expect(Date.parse(q.get('from')!)).toBeLessThanOrEqual(Date.now() - 2 * 3_600_000);
    expect(Date.parse(q.get('to')!) - Date.parse(q.get('from')!)).toBe(2 * 3_600_000 - 15 * 60_000);
  });

  it('refuses bad options with exit 2, naming the option, before any request', async () => {
    const cases: [string[], RegExp][] = [
      [['--since', 'yesterday'], /--since must be an ISO 8601 time .* \(got "yesterday"\)/],
      [['--until', '2026-13-45T99:00Z'], /--until must be an ISO 8601 time/],
      [['--since', '12/06/2026'], /--since must be an ISO 8601 time/],
      [['--since', '2026-12-06T10:00:00Z', '--until', '2026-12-06T09:00:00Z'], /--since \(2026-12-06T10:00:00Z\) is after --until \(2026-12-06T09:00:00Z\)/],
      [['--since', '1h', '--until', '2h'], /--since \(1h\) is after --until \(2h\)/],
      [['--limit', '0'], /--limit must be a whole number from 1 to 1000 \(got "0"\)/],
      [['--limit', '1001'], /--limit must be a whole number from 1 to 1000/],
      [['--limit', 'ten'], /--limit must be a whole number from 1 to 1000/],
      [['--before', 'abc'], /--before must be an event id/],
      [['--subject', 'ada@example.test'], /--subject "ada@example\.test" would match nothing.*--subject "a\*\*\*@example\.test".*ssohub users find ada@example\.test/],
    ];
    for (const [args, message] of cases) {
      const res = await runCli(['audit', 'search', ...args], env);
      expect(res.code, args.join(' ')).toBe(EXIT.USAGE);
      expect(res.stderr).toMatch(message);
    }
    expect(urls).toEqual([]);
  });

  it("passes the hub's refusal on as a usage error", async () => {
    answer = [400, { error: { code: 'SSOHUB_ERR_BAD_REQUEST', message: 'querystring/type must NOT have more than 200 characters' } }];
    const res = await runCli(['audit', 'search', '--type', 'x'.repeat(201)], env);
    expect(res.code).toBe(EXIT.USAGE);
    expect(res.stderr).toMatch(/200 characters/);
  });

  it('says in its help how --subject takes an email', async () => {
    const res = await runCli(['audit', 'search', '--help'], env);
    expect(res.code).toBe(EXIT.OK);
    expect(res.stdout.replace(/\s+/g, ' ')).toMatch(/A full email is refused: events keep sign-in identifiers only masked/);
  });
});

describe('parseSearchTime', () => {
  const now = Date.parse('2026-12-06T12:00:00Z');
  it('reads ages and ISO times; a zoneless --until to the minute includes that minute', () => {
    expect(parseSearchTime('--since', '30s', now).param).toBe('2026-12-06T11:59:30.000Z');
    expect(parseSearchTime('--since', '7d', now).param).toBe('2026-11-29T12:00:00.000Z');
    expect(parseSearchTime('--since', '2026-12-06', now).ms).toBe(Date.parse('2026-12-06T00:00:00Z'));
    expect(parseSearchTime('--since', '2026-12-06T10:05', now).ms).toBe(Date.parse('2026-12-06T10:05:00Z'));
    expect(parseSearchTime('--until', '2026-12-06T10:05', now).ms).toBe(Date.parse('2026-12-06T10:05:59.999Z'));
    expect(parseSearchTime('--since', '2026-12-06T10:05:00+01:00', now).ms).toBe(Date.parse('2026-12-06T09:05:00Z'));
  });
});
