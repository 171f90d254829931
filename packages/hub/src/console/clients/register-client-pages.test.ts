import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Hub } from '../../app.ts';
import { clientSecretMatches } from '../../clients/client-secret.ts';
import { t } from '../../i18n/translate.ts';
import { buildConsoleTestHub, type ConsoleTestSession, getConsolePage, postConsoleForm, signInToConsole } from '../console-test-kit.ts';

const app = {
  kind: 'app',
  client_id: 'console-app',
  client_name: 'Console App',
  redirect_uris: 'https://app.example.test/callback\nhttps://app.example.test/cb2',
  backchannel_logout_uri: 'https://app.example.test/backchannel',
  scope: 'openid email',
  ssohub_first_party: 'yes',
};

describe('the console’s client pages', () => {
  let hub: Hub;
  let s: ConsoleTestSession;
  beforeAll(async () => {
    hub = await buildConsoleTestHub();
    s = await signInToConsole(hub, { name: 'alice' });
  });
  afterAll(() => hub.close());

  const lastEvent = async () => (await hub.ctx.audit.tail({ count: 1 })).at(-1);
  /** The version an edit form carries (hidden), as a browser would send it back. */
  const versionIn = (body: string) => /<input type="hidden" name="version" value="([^"]+)">/.exec(body)?.[1];
  const openEditForm = async (id: string, session = s) => versionIn((await getConsolePage(hub, session, `/console/clients/${id}/edit`)).body);

  it('onboards an app after a confirmation, shows its secret once, and audits it with the console actor', async () => {
    const ask = await postConsoleForm(hub, s, '/console/clients/new', app);
    expect(ask.statusCode).toBe(200);
    expect(ask.body).toContain(t('console.clients.create.confirm_title', { id: 'console-app' }));
    expect(await hub.ctx.clients.find('console-app')).toBeUndefined();

    const done = await postConsoleForm(hub, s, '/console/clients/new', { ...app, confirmed: 'yes' });
    expect(done.statusCode).toBe(200);
    expect(done.headers['cache-control']).toBe('no-store');
    const secret = /data-testid="console\/client-secret">([^<]+)</.exec(done.body)?.[1];
    expect(secret).toBeTruthy();
    const stored = await hub.ctx.clients.find('console-app');
    expect(stored?.metadata).toMatchObject({
      client_name: 'Console App',
      redirect_uris: ['https://app.example.test/callback', 'https://app.example.test/cb2'],
      backchannel_logout_uri: 'https://app.example.test/backchannel',
      backchannel_logout_session_required: true,
      ssohub_first_party: true,
      scope: 'openid email',
    });
    expect(clientSecretMatches(stored!.metadata.client_secret!, secret!)).toBe(true);
    expect(await lastEvent()).toMatchObject({ type: 'client.created', actor: 'console:alice', clientId: 'console-app' });
    // Never again: the client's page says only that it has one.
    const shown = await getConsolePage(hub, s, '/console/clients/console-app');
    expect(shown.statusCode).toBe(200);
    expect(shown.body).not.toContain(secret!);
    expect((await getConsolePage(hub, s, '/console/clients')).body).toContain('href="/console/clients/console-app"');
  });

  it('checks a new client like the admin API and the CLI, listing every problem, and creates nothing', async () => {
    const res = await postConsoleForm(hub, s, '/console/clients/new', { kind: 'app', client_id: 'x', redirect_uris: 'http://evil.example/cb#frag', confirmed: 'yes' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('client_id must be 3-64 characters');
    expect(res.body).toContain('redirect_uris[0]');
    expect(await hub.ctx.clients.find('x')).toBeUndefined();
    const taken = await postConsoleForm(hub, s, '/console/clients/new', { ...app, confirmed: 'yes' });
    expect(taken.statusCode).toBe(400);
    expect(taken.body).toContain('data-testid="console/error"');
  });

  it('onboards a service client and says where its token endpoint is', async () => {
    const done = await postConsoleForm(hub, s, '/console/clients/new', { kind: 'service', client_id: 'console-svc', resources: 'https://api.example.test', confirmed: 'yes' });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain(`${hub.ctx.config.publicUrl}${hub.ctx.bridge.tokenPath}`);
    expect((await hub.ctx.clients.find('console-svc'))?.metadata.grant_types).toEqual(['client_credentials']);
  });

  it('words the problems in the page’s language, each after the field it names', async () => {
    const de = { 'accept-language': 'de' };
    const res = await postConsoleForm(hub, s, '/console/clients/new', { kind: 'app', client_id: 'x', redirect_uris: 'https://app.example.test/cb#frag', confirmed: 'yes' }, de);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('<html lang="de"');
    expect(res.body).toContain('redirect_uris[0] darf kein Fragment (#...) enthalten (erhalten: &quot;https://app.example.test/cb#frag&quot;)');
    expect(res.body).toContain(`client_id ${t('console.clients.problem.client_id', undefined, 'de')}`);
    expect(res.body).not.toContain('must not contain a fragment');
    expect(await hub.ctx.clients.find('x')).toBeUndefined();

    const taken = await postConsoleForm(hub, s, '/console/clients/new', { ...app, confirmed: 'yes' }, de);
    expect(taken.statusCode).toBe(400);
    expect(taken.body).toContain('client_id ist vergeben');

    const version = await openEditForm('console-app');
    const edit = await postConsoleForm(hub, s, '/console/clients/console-app/edit', { ...app, version, redirect_uris: 'http://app.example.test/cb', scope: 'openid phone' }, { 'accept-language': 'fr' });
    expect(edit.statusCode).toBe(400);
    expect(edit.body).toContain('redirect_uris[0] doit utiliser https');
    expect(edit.body).toContain('scope contient &quot;phone&quot;, qui ne fait pas partie de openid, email, profile, offline_access');
  });

  it('edits only what changed, after a confirmation, and removes a field the form emptied', async () => {
    const form = await getConsolePage(hub, s, '/console/clients/console-app/edit');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Console App');
    const fields = { ...app, version: versionIn(form.body), client_name: 'Renamed', backchannel_logout_uri: '' };
    expect(fields.version).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const ask = await postConsoleForm(hub, s, '/console/clients/console-app/edit', fields);
    expect(ask.statusCode).toBe(200);
    // The confirmation page carries the version on to the final submit.
    expect(versionIn(ask.body)).toBe(fields.version);
    expect(ask.body).toContain('client_name');
    expect(ask.body).toContain('backchannel_logout_uri');
    expect(ask.body).not.toContain('<dt>redirect_uris</dt>');
    expect((await hub.ctx.clients.find('console-app'))?.metadata.client_name).toBe('Console App');
    const done = await postConsoleForm(hub, s, '/console/clients/console-app/edit', { ...fields, confirmed: 'yes' });
    expect(done.statusCode).toBe(303);
    const after = (await hub.ctx.clients.find('console-app'))!.metadata;
    expect(after.client_name).toBe('Renamed');
    expect(after.backchannel_logout_uri).toBeUndefined();
    expect(await lastEvent()).toMatchObject({ type: 'client.updated', actor: 'console:alice', clientId: 'console-app' });
  });

  it('refuses an edit made from a form older than another admin’s change (409), rather than undoing that change', async () => {
    const bob = await signInToConsole(hub, { name: 'bob' });
    const current = (await hub.ctx.clients.find('console-app'))!.metadata;
    // Alice opens the form and asks to rename the client; the form also carries the redirect URIs as they were.
    const version = await openEditForm('console-app');
    const alice = { kind: 'app', version, client_name: 'Alice’s name', redirect_uris: current.redirect_uris.join('\n'), scope: current.scope, ssohub_first_party: 'yes' };
    const ask = await postConsoleForm(hub, s, '/console/clients/console-app/edit', alice);
    expect(ask.statusCode).toBe(200);
    expect(ask.body).toContain('client_name');
    expect(ask.body).not.toContain('<dt>redirect_uris</dt>');

    // Meanwhile Bob changes the redirect URIs from his own form.
    const bobs = { ...alice, version: await openEditForm('console-app', bob), client_name: current.client_name, redirect_uris: 'https://app.example.test/new-callback', confirmed: 'yes' };
    expect((await postConsoleForm(hub, bob, '/console/clients/console-app/edit', bobs)).statusCode).toBe(303);

    // Alice confirms: her stale form would put the old redirect URIs back.
    const done = await postConsoleForm(hub, s, '/console/clients/console-app/edit', { ...alice, confirmed: 'yes' });
    expect(done.statusCode).toBe(409);
    expect(done.body).toContain(t('console.clients.edit.stale', { id: 'console-app' }));
    // The form shows the client as it is now, with its new version, to review and edit again.
    expect(done.body).toContain('https://app.example.test/new-callback');
    expect(versionIn(done.body)).toBe(await openEditForm('console-app'));
    expect(versionIn(done.body)).not.toBe(version);
    const after = (await hub.ctx.clients.find('console-app'))!.metadata;
    expect(after.redirect_uris).toEqual(['https://app.example.test/new-callback']);
    expect(after.client_name).toBe(current.client_name);
    expect(await lastEvent()).toMatchObject({ type: 'client.updated', actor: 'console:bob' });

    // Said in the page's language; a form with no version at all is refused the same way.
    const de = await postConsoleForm(hub, s, '/console/clients/console-app/edit', { ...alice, version: undefined, confirmed: 'yes' }, { 'accept-language': 'de' });
    expect(de.statusCode).toBe(409);
    expect(de.body).toContain(t('console.clients.edit.stale', { id: 'console-app' }, 'de'));
    expect((await hub.ctx.clients.find('console-app'))!.metadata.client_name).toBe(current.client_name);

    // Edited again from the fresh form, Alice's change goes through and Bob's stays.
    const again = await postConsoleForm(hub, s, '/console/clients/console-app/edit', {
      ...alice,
      version: versionIn(done.body),
      redirect_uris: 'https://app.example.test/new-callback',
      confirmed: 'yes',
    });
    expect(again.statusCode).toBe(303);
    expect((await hub.ctx.clients.find('console-app'))!.metadata).toMatchObject({ client_name: 'Alice’s name', redirect_uris: ['https://app.example.test/new-callback'] });
  });

  it('does not count a rotated secret as a change to the form', async () => {
    const version = await openEditForm('console-app');
    await postConsoleForm(hub, s, '/console/clients/console-app/rotate-secret', { confirmed: 'yes' });
    expect(await openEditForm('console-app')).toBe(version);
  });

  it('rotates the secret after a confirmation and shows the new one once', async () => {
    const before = (await hub.ctx.clients.find('console-app'))!.metadata.client_secret;
    const ask = await postConsoleForm(hub, s, '/console/clients/console-app/rotate-secret');
    expect(ask.body).toContain(t('console.clients.rotate.confirm_lead'));
    expect((await hub.ctx.clients.find('console-app'))!.metadata.client_secret).toBe(before);
    const done = await postConsoleForm(hub, s, '/console/clients/console-app/rotate-secret', { confirmed: 'yes' });
    const secret = /data-testid="console\/client-secret">([^<]+)</.exec(done.body)?.[1];
    expect(clientSecretMatches((await hub.ctx.clients.find('console-app'))!.metadata.client_secret!, secret!)).toBe(true);
    expect(await lastEvent()).toMatchObject({ type: 'client.secret_rotated', actor: 'console:alice' });
  });

  it('deletes after a confirmation, revoking what the client was issued', async () => {
    const revoke = vi.spyOn(hub.ctx.bridge, 'revokeClient');
    await postConsoleForm(hub, s, '/console/clients/console-app/delete');
    expect(await hub.ctx.clients.find('console-app')).toBeDefined();
    expect(revoke).not.toHaveBeenCalled();
    const done = await postConsoleForm(hub, s, '/console/clients/console-app/delete', { confirmed: 'yes' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/console/clients');
    expect(await hub.ctx.clients.find('console-app')).toBeUndefined();
    expect(revoke).toHaveBeenCalledWith('console-app');
    expect(await lastEvent()).toMatchObject({ type: 'client.deleted', actor: 'console:alice' });
    revoke.mockRestore();
    expect((await getConsolePage(hub, s, '/console/clients/console-app')).statusCode).toBe(404);
  });
});
