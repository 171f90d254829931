import { describe, expect, it } from 'vitest';
import type { AuditEvent, AuditLog } from '../audit/audit-log.ts';
import { ConfigError, SsoHubError } from '../errors/ssohub-error.ts';
import type { Storage } from '../storage/storage.ts';
import { digestClientSecret } from './client-secret.ts';
import { ClientValidationError, createClientRegistry } from './create-client-registry.ts';

const memory: Storage = { kind: 'memory', description: 'memory', close: async () => {} };
const STATIC = {
  client_id: 'static-app',
  client_secret: 'x'.repeat(40),
  redirect_uris: ['https://static.test/cb'],
};

function setup() {
  const events: AuditEvent[] = [];
  const audit: AuditLog = { record: (e) => void events.push(e), tail: async () => [] };
  const registry = createClientRegistry({ staticClients: [STATIC], storage: memory, audit, mode: 'production' });
  return { registry, events };
}

describe('the client registry', () => {
  it('validates static clients at startup and names the offending option', () => {
    const audit: AuditLog = { record: () => {}, tail: async () => [] };
    const build = () =>
      createClientRegistry({ staticClients: [STATIC, { ...STATIC, redirect_uris: ['https://x.test/*'] }], storage: memory, audit });
    expect(build).toThrow(ConfigError);
    try {
      build();
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([
        expect.stringMatching(/^bridge\.clients\[1\]\.redirect_uris\[0\] must not contain wildcards/),
        'bridge.clients[1].client_id duplicates "static-app"',
      ]);
    }
  });

  it('creates a client with a generated secret, finds it, and lists it after the static ones', async () => {
    const { registry, events } = setup();
    const created = await registry.create({ client_id: 'app-a', redirect_uris: ['https://app-a.test/cb'] }, 'admin:alice');
    expect(created.source).toBe('api');
    expect(created.metadata.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Stored and found as its digest only; the clear secret is in the answer to create alone.
    expect((await registry.find('app-a'))?.metadata.client_secret).toBe(digestClientSecret(created.metadata.client_secret!));
    expect((await registry.list()).map((c) => `${c.source}:${c.metadata.client_id}`)).toEqual(['config:static-app', 'api:app-a']);
    expect(events).toEqual([expect.objectContaining({ type: 'client.created', actor: 'admin:alice', clientId: 'app-a' })]);
    expect(JSON.stringify(events)).not.toContain(created.metadata.client_secret);
  });

  it('creates public clients without a secret', async () => {
    const { registry } = setup();
    const c = await registry.create({ client_id: 'spa', redirect_uris: ['https://spa.test/cb'], token_endpoint_auth_method: 'none' }, 'admin');
    expect(c.metadata.client_secret).toBeUndefined();
    await expect(registry.rotateSecret('spa', 'admin')).rejects.toMatchObject({ status: 409 });
  });

  it('refuses invalid clients with every problem named, and duplicate ids', async () => {
    const { registry } = setup();
    const err = await registry.create({ client_id: 'x', redirect_uris: ['http://x.test/cb'] }, 'admin').catch((e) => e);
    expect(err).toBeInstanceOf(ClientValidationError);
    expect(err.status).toBe(400);
    expect(err.problems).toEqual([expect.stringMatching(/^client_id /), expect.stringMatching(/^redirect_uris\[0\] must use https/)]);
    await expect(registry.create({ ...STATIC, client_secret: undefined }, 'admin')).rejects.toMatchObject({ status: 409 });
    await registry.create({ client_id: 'app-b', redirect_uris: ['https://b.test/cb'] }, 'admin');
    await expect(registry.create({ client_id: 'app-b', redirect_uris: ['https://b.test/cb'] }, 'admin')).rejects.toMatchObject({ status: 409 });
  });

  it('gives a new client ES256 ID tokens unless it asks for RS256 or the hub holds no ES256 key, and stores the choice', async () => {
    const { registry, events } = setup();
    const plain = await registry.create({ client_id: 'app-es', redirect_uris: ['https://a.test/cb'] }, 'admin');
    expect(plain.metadata.id_token_signed_response_alg).toBe('ES256');
    expect((await registry.find('app-es'))?.metadata.id_token_signed_response_alg).toBe('ES256');
    const asked = await registry.create({ client_id: 'app-rs', redirect_uris: ['https://a.test/cb'], id_token_signed_response_alg: 'RS256' }, 'admin');
    expect(asked.metadata.id_token_signed_response_alg).toBe('RS256');
    // The audit names the fields the caller sent, not the default filled in for it.
    expect(events[0]).toMatchObject({ type: 'client.created', clientId: 'app-es', changes: ['client_id', 'redirect_uris'] });

    const audit: AuditLog = { record: () => {}, tail: async () => [] };
    const rsaOnly = createClientRegistry({ staticClients: [], storage: memory, audit, idTokenAlgs: ['RS256'] });
    expect((await rsaOnly.create({ client_id: 'app-x', redirect_uris: ['https://x.test/cb'] }, 'admin')).metadata.id_token_signed_response_alg).toBe('RS256');
    await expect(rsaOnly.create({ client_id: 'app-y', redirect_uris: ['https://y.test/cb'], id_token_signed_response_alg: 'ES256' }, 'admin')).rejects.toThrow(
      /no ES256 key in bridge\.signingKeys/,
    );
    // Static clients get no default: their metadata is read afresh at every start.
    expect((await registry.find('static-app'))?.metadata.id_token_signed_response_alg).toBeUndefined();
  });

  it('updates by merging, re-validates, and removes a field set to null', async () => {
    const { registry, events } = setup();
    await registry.create({ client_id: 'app-a', redirect_uris: ['https://a.test/cb'], client_name: 'A' }, 'admin');
    const updated = await registry.update('app-a', { redirect_uris: ['https://a.test/cb2'], client_name: null as unknown as string }, 'admin');
    expect(updated.metadata.redirect_uris).toEqual(['https://a.test/cb2']);
    expect(updated.metadata.client_name).toBeUndefined();
    await expect(registry.update('app-a', { redirect_uris: ['https://a.test/#x'] }, 'admin')).rejects.toThrow(/redirect_uris\[0\] must not contain a fragment/);
    await expect(registry.update('app-a', { client_secret: 'y'.repeat(40) }, 'admin')).rejects.toThrow(/use rotate-secret/);
    expect(events.at(-1)).toMatchObject({ type: 'client.updated', changes: ['client_name', 'redirect_uris'] });
    // An ordinary update answers with the stored digest, not a secret to show.
    expect(updated.metadata.client_secret).toBe((await registry.find('app-a'))?.metadata.client_secret);
  });

  it('mints a secret for a public client made confidential, answering it once and storing its digest', async () => {
    const { registry } = setup();
    await registry.create({ client_id: 'spa', redirect_uris: ['https://spa.test/cb'], token_endpoint_auth_method: 'none' }, 'admin');
    const updated = await registry.update('spa', { token_endpoint_auth_method: 'client_secret_basic' }, 'admin');
    expect(updated.metadata.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await registry.find('spa'))?.metadata.client_secret).toBe(digestClientSecret(updated.metadata.client_secret!));
  });

  it('rotates the secret and deletes API clients, but not static ones', async () => {
    const { registry, events } = setup();
    const created = await registry.create({ client_id: 'app-a', redirect_uris: ['https://a.test/cb'] }, 'admin');
    const rotated = await registry.rotateSecret('app-a', 'admin');
    expect(rotated.metadata.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rotated.metadata.client_secret).not.toBe(created.metadata.client_secret);
    expect((await registry.find('app-a'))?.metadata.client_secret).toBe(digestClientSecret(rotated.metadata.client_secret!));
    expect(JSON.stringify(await registry.list())).not.toContain(rotated.metadata.client_secret);
    await registry.delete('app-a', 'admin');
    expect(await registry.find('app-a')).toBeUndefined();
    await expect(registry.delete('app-a', 'admin')).rejects.toMatchObject({ status: 404 });
    const refused = await registry.delete('static-app', 'admin').catch((e) => e);
    expect(refused).toBeInstanceOf(SsoHubError);
    expect(refused.message).toMatch(/comes from the hub's configuration/);
    expect(events.map((e) => e.type)).toEqual(['client.created', 'client.secret_rotated', 'client.deleted']);
  });

  it('keeps both of two changes made at once (compare-and-set): an update, a rotation and another update', async () => {
    const { registry, events } = setup();
    await registry.create({ client_id: 'app-a', redirect_uris: ['https://a.test/cb'], client_name: 'A' }, 'admin');
    // Each reads the record before any writes it: a plain write-back would keep only the last.
    const [, rotated] = await Promise.all([
      registry.update('app-a', { client_name: 'Renamed' }, 'alice'),
      registry.rotateSecret('app-a', 'bob'),
      registry.update('app-a', { redirect_uris: ['https://a.test/cb', 'https://a.test/cb2'] }, 'carol'),
    ]);
    const now = (await registry.find('app-a'))!.metadata;
    expect(now.client_name).toBe('Renamed');
    expect(now.redirect_uris).toEqual(['https://a.test/cb', 'https://a.test/cb2']);
    // The secret shown by the rotation is the one that works: no update wrote the old digest back.
    expect(now.client_secret).toBe(digestClientSecret(rotated.metadata.client_secret!));
    expect(events.filter((e) => e.type !== 'client.created').length).toBe(3);
  });

  it('does not bring back a client deleted while an update was under way', async () => {
    const { registry } = setup();
    await registry.create({ client_id: 'app-a', redirect_uris: ['https://a.test/cb'] }, 'admin');
    // Whichever lands first, the client ends up deleted: an update that read it before the delete
    // and writes after finds it gone (404), one that wrote first was then deleted.
    const [deleted, updated] = await Promise.allSettled([registry.delete('app-a', 'bob'), registry.update('app-a', { client_name: 'Late' }, 'alice')]);
    expect(deleted.status).toBe('fulfilled');
    if (updated.status === 'rejected') expect(updated.reason).toMatchObject({ status: 404 });
    expect(await registry.find('app-a')).toBeUndefined();
    expect((await registry.list()).map((c) => c.metadata.client_id)).toEqual(['static-app']);
  });
});
