import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/run-cli.ts';
import { EXIT } from '../../errors/exit-codes.ts';

// `ssohub backchannel list|retry` in-process against a stand-in admin API answering as
// docs/admin-api.md ("Back-channel deliveries") says.

const PENDING = {
  id: 'd-1',
  clientId: 'app-a',
  accountId: 'ada',
  sid: 'sid-1',
  reason: 'user_disabled',
  attempt: 2,
  state: 'pending',
  nextAttemptAt: '2026-12-06T00:01:00.000Z',
  lastError: 'expected 200 OK from https://app-a.test/bc, got: 503 Service Unavailable',
};
const FAILED = { id: 'd-2', clientId: 'app-b', accountId: 'bob', reason: 'admin_revoked', attempt: 4, state: 'failed', failedAt: '2026-12-05T23:00:00.000Z', lastError: 'fetch failed (ECONNREFUSED)' };

let server: Server;
let env: Record<string, string>;
const seen: string[] = [];
let deliveries: { pending: unknown[]; failed: unknown[] } = { pending: [], failed: [] };

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => {
      const json = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      };
      const retry = /^\/admin\/backchannel\/deliveries\/([^/]+)\/retry$/.exec(req.url ?? '');
      if (req.method === 'GET' && req.url === '/admin/backchannel/deliveries') json(200, deliveries);
      else if (req.method === 'POST' && retry?.[1] === 'd-2') json(200, { id: 'd-2', result: 'queued' });
      else json(404, { error: { code: 'SSOHUB_ERR_NOT_FOUND', message: 'there is no pending or failed back-channel delivery "nope"; list them with ssohub backchannel list' } });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  env = { SSOHUB_ADMIN_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, SSOHUB_ADMIN_TOKEN: 't' };
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen.length = 0;
});

describe('ssohub backchannel', () => {
  it('lists pending and failed deliveries as tables, and says how to retry one', async () => {
    deliveries = { pending: [PENDING], failed: [FAILED] };
    const res = await runCli(['backchannel', 'list'], env);
    expect(res.code, res.stderr).toBe(EXIT.OK);
    expect(seen).toEqual(['GET /admin/backchannel/deliveries']);
    expect(res.stdout).toMatch(/^Pending \(1\):\nID +CLIENT +USER +REASON +NEXT ATTEMPT +DUE +LAST ERROR$/m);
    expect(res.stdout).toMatch(/^d-1 +app-a +ada +user_disabled +2 +2026-12-06T00:01:00\.000Z +expected 200 OK from https:\/\/app-a\.test\/bc, got: 503 Service Unavailable$/m);
    expect(res.stdout).toMatch(/^Failed \(1\):\nID +CLIENT +USER +REASON +ATTEMPTS +GIVEN UP AT +LAST ERROR$/m);
    expect(res.stdout).toMatch(/^d-2 +app-b +bob +admin_revoked +4 +2026-12-05T23:00:00\.000Z +fetch failed \(ECONNREFUSED\)$/m);
    expect(res.stdout).toMatch(/Retry one now with: ssohub backchannel retry <id>\n$/);
    expect((await runCli(['backchannel', 'list', '--json'], env)).json()).toEqual(deliveries);
  });

  it('says so when nothing is pending or failed', async () => {
    deliveries = { pending: [], failed: [] };
    expect((await runCli(['backchannel', 'list'], env)).stdout).toBe('No pending or failed back-channel delivery.\n');
    deliveries = { pending: [], failed: [FAILED] };
    expect((await runCli(['backchannel', 'list'], env)).stdout).toMatch(/^Pending: none\.\n\nFailed \(1\):/);
  });

  it('retries one: POST …/retry; exits 3 for an unknown id and 2 without one', async () => {
    const res = await runCli(['backchannel', 'retry', 'd-2'], env);
    expect(res.code, res.stderr).toBe(EXIT.OK);
    expect(res.stdout).toBe('Queued delivery d-2 for an attempt now. Follow it with: ssohub backchannel list\n');
    expect((await runCli(['backchannel', 'retry', 'd-2', '--json'], env)).json()).toEqual({ id: 'd-2', result: 'queued' });
    const missing = await runCli(['backchannel', 'retry', 'nope'], env);
    expect(missing.code).toBe(EXIT.NOT_FOUND);
    expect(missing.stderr).toMatch(/no pending or failed back-channel delivery "nope"/);
    expect(seen).toEqual(['POST /admin/backchannel/deliveries/d-2/retry', 'POST /admin/backchannel/deliveries/d-2/retry', 'POST /admin/backchannel/deliveries/nope/retry']);
    expect((await runCli(['backchannel', 'retry'], env)).code).toBe(EXIT.USAGE);
  });
});
