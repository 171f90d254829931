import { EXIT } from '@ssohub/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminTokenForTests, type HubStack, startHubStack } from '../support/hub-stack.ts';
import { runCli, spawnCli } from './cli-run.ts';

// `ssohub audit search` against a real hub (Redis audit stream): events are made through the
// admin API by two operators, then found by actor, subject, client, type, time and page.

describe('ssohub audit search against a running hub', () => {
  let stack: HubStack;
  let env: Record<string, string>;
  let startedAt: string;

  const adminCall = async (method: string, path: string, actor: string, body?: unknown) => {
    const res = await fetch(`${stack.adminUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminTokenForTests}`, 'x-ssohub-actor': actor, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBeLessThan(300);
  };

  beforeAll(async () => {
    stack = await startHubStack();
    env = { SSOHUB_ADMIN_URL: stack.adminUrl, SSOHUB_ADMIN_TOKEN: adminTokenForTests };
    startedAt = new Date(Date.now() - 1_000).toISOString();
    const client = (id: string) => ({ client_id: id, client_name: id, redirect_uris: [`https://${id}.test/callback`], token_endpoint_auth_method: 'client_secret_basic' });
    await adminCall('POST', '/admin/clients', 'alice', client('search-a'));
    await adminCall('POST', '/admin/clients', 'bob', client('search-b'));
    await adminCall('DELETE', `/admin/lockouts/${encodeURIComponent('ada@example.test')}`, 'alice');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('finds events by actor, type and client, newest first, as the real binary and as a table', async () => {
    const byAlice = await spawnCli(['audit', 'search', '--actor', 'admin:alice', '--since', '10m', '--json'], env);
    expect(byAlice.stderr).toBe('');
    expect(byAlice.code).toBe(EXIT.OK);
    expect(byAlice.json().events.map((e: { type: string }) => e.type)).toEqual(['guard.unlocked', 'client.created']);
    expect(byAlice.json().next).toBeNull();

    const created = await runCli(['audit', 'search', '--type', 'client.*', '--client', 'search-b', '--since', startedAt], env);
    expect(created.code, created.stderr).toBe(EXIT.OK);
    const lines = created.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TIME +TYPE +ACTOR +SUBJECT +CLIENT +OUTCOME +DETAILS$/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/ client\.created +admin:bob +- +search-b +success +changes=/);
  });

  it('finds the unlock by the masked subject, refuses the full address, and pages with --before', async () => {
    const masked = await runCli(['audit', 'search', '--subject', 'a***@example.test', '--json'], env);
    expect(masked.code, masked.stderr).toBe(EXIT.OK);
    expect(masked.json().events).toEqual([expect.objectContaining({ type: 'guard.unlocked', actor: 'admin:alice', subject: 'a***@example.test' })]);

    const full = await runCli(['audit', 'search', '--subject', 'ada@example.test'], env);
    expect(full.code).toBe(EXIT.USAGE);
    expect(full.stderr).toMatch(/--subject "a\*\*\*@example\.test"/);

    const first = await runCli(['audit', 'search', '--actor', 'admin:*', '--since', startedAt, '--limit', '2', '--json'], env);
    expect(first.json().events).toHaveLength(2);
    expect(first.json().next).toEqual(expect.any(String));
    const human = await runCli(['audit', 'search', '--actor', 'admin:*', '--since', startedAt, '--limit', '2'], env);
    expect(human.stdout).toContain(`add --before ${first.json().next}`);
    const second = await runCli(['audit', 'search', '--actor', 'admin:*', '--since', startedAt, '--limit', '2', '--before', first.json().next, '--json'], env);
    expect(second.code, second.stderr).toBe(EXIT.OK);
    expect(second.json().events.map((e: { actor: string; type: string }) => `${e.actor} ${e.type}`)).toEqual(['admin:alice client.created']);
  });

  it('finds nothing in a time range before the events', async () => {
    const res = await runCli(['audit', 'search', '--since', '2020-01-01T00:00:00Z', '--until', '2020-01-02T00:00', '--json'], env);
    expect(res.code, res.stderr).toBe(EXIT.OK);
    expect(res.json().events).toEqual([]);
  });
});
