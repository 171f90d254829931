import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HubStack, startHubStack } from '../support/hub-stack.ts';
import { Browser, createIdentity, FAST_HASHING, type Flow, uniqueEmail } from './guard-helpers.ts';

/** A flow as Kratos' JSON gives it, with each node's messages. */
interface FlowWithMessages {
  id: string;
  state?: string;
  ui: { nodes: { attributes: { name?: string; value?: unknown }; messages?: { id: number; text: string }[] }[] };
}

/**
 * Issue #21's password policy against a real Kratos behind the hub: passwords on the shipped list
 * are refused by the hub's proxy (never reaching Kratos) with a message that says why; Kratos
 * itself refuses one shorter than passwordPolicy.minLength (12 by default) or too like the address.
 */
describe('the password policy', () => {
  let stack: HubStack;
  beforeAll(async () => {
    stack = await startHubStack({ kratosOverrides: FAST_HASHING });
  });
  afterAll(async () => stack?.stop());

  const identityCount = async (email: string) => {
    const res = await fetch(`${stack.kratos.adminUrl}/admin/identities?credentials_identifier=${encodeURIComponent(email)}`);
    return ((await res.json()) as unknown[]).length;
  };
  const flowJson = async (b: Browser, kind: string, id: string) =>
    JSON.parse((await b.session.request(`${stack.hubUrl}/self-service/${kind}/flows?id=${id}`, { headers: { accept: 'application/json' } })).body) as FlowWithMessages;
  const passwordMessages = (flow: FlowWithMessages) => flow.ui.nodes.find((n) => n.attributes.name === 'password')?.messages ?? [];
  /** The flow page as a browser sees it, in English. */
  const page = async (b: Browser, path: string) => (await b.session.request(`${stack.hubUrl}${path}`, { headers: { 'accept-language': 'en' } })).body;

  async function register(password: string, email = uniqueEmail('policy')) {
    const b = new Browser('198.51.100.21');
    const flow = await b.startFlow(stack.hubUrl, 'registration');
    const res = await b.submit(stack.hubUrl, flow, { method: 'password', 'traits.email': email, 'traits.name': 'Ada Lovelace', password });
    return { b, flow, res, email };
  }

  it('refuses a password from the shipped list at registration, saying why; Kratos never sees it', async () => {
    const { b, flow, res, email } = await register('Qwerty123456');
    expect(res.status).toBe(303);
    expect(res.session).toBe(false);
    const html = await page(b, `/registration?flow=${flow.id}`);
    expect(html).toContain('data-testid="ui/notice/password_common"');
    expect(html).toContain('This password is on a list of common and leaked passwords that attackers try first');
    expect(await identityCount(email)).toBe(0);
    // Shown once.
    expect(await page(b, `/registration?flow=${flow.id}`)).not.toContain('ui/notice/password_common');
  });

  it('answers an API-style (JSON) submission with a 400 that says why', async () => {
    const b = new Browser('198.51.100.22');
    const flow = await b.startFlow(stack.hubUrl, 'registration');
    const csrf = flow.ui.nodes.find((n) => n.attributes.name === 'csrf_token')?.attributes.value as string;
    const res = await b.session.request(`${stack.hubUrl}/self-service/registration?flow=${flow.id}`, {
      json: { csrf_token: csrf, method: 'password', traits: { email: uniqueEmail('policy-json'), name: 'Ada' }, password: 'leavemealone' },
      headers: { accept: 'application/json' },
      follow: false,
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'SSOHUB_ERR_VALIDATION', message: expect.stringContaining('common and leaked passwords') } });
  });

  it('accepts a good password', async () => {
    const { res, email } = await register('violet tugboat sermon 47');
    expect(res.status).toBe(303);
    expect(res.session).toBe(true);
    expect(await identityCount(email)).toBe(1);
  });

  it("lets Kratos refuse a password under 12 characters, in the hub's words", async () => {
    const { b, flow, res, email } = await register('Tugboat-47x');
    // Kratos sends the browser back to the flow page (its validation errors answer 302).
    expect(res.status).toBe(302);
    expect(res.session).toBe(false);
    const after = await flowJson(b, 'registration', flow.id);
    expect(passwordMessages(after).map((m) => m.id)).toEqual([4000032]);
    expect(await page(b, `/registration?flow=${flow.id}`)).toContain('Your password needs at least 12 characters (you entered 11).');
    expect(await identityCount(email)).toBe(0);
  });

  it('keeps Kratos’ similarity check: a password too like the address is refused', async () => {
    const email = uniqueEmail('similar-address');
    const { b, flow, res } = await register(email, email);
    expect(res.session).toBe(false);
    expect(passwordMessages(await flowJson(b, 'registration', flow.id)).map((m) => m.id)).toEqual([4000031]);
  });

  it('refuses a listed password in settings and accepts a good one', async () => {
    const email = uniqueEmail('policy-settings');
    await createIdentity(stack, email, 'an old but long passphrase 1');
    const b = new Browser('198.51.100.23');
    const login = await b.startFlow(stack.hubUrl, 'login');
    expect((await b.submit(stack.hubUrl, login, { method: 'password', identifier: email, password: 'an old but long passphrase 1' })).session).toBe(true);
    const settings = JSON.parse((await b.session.request(`${stack.hubUrl}/self-service/settings/browser`, { headers: { accept: 'application/json' } })).body) as Flow;

    const refused = await b.submit(stack.hubUrl, settings, { method: 'password', password: 'Password1234' });
    expect(refused.status).toBe(303);
    const html = await page(b, `/settings?flow=${settings.id}`);
    expect(html).toContain('data-testid="ui/notice/password_common"');
    expect((await flowJson(b, 'settings', settings.id)).state).not.toBe('success');

    const fresh = JSON.parse((await b.session.request(`${stack.hubUrl}/self-service/settings/browser`, { headers: { accept: 'application/json' } })).body) as Flow;
    const accepted = await b.submit(stack.hubUrl, fresh, { method: 'password', password: 'quiet lantern harbour 82' });
    expect(accepted.status).toBe(303);
    expect((await flowJson(b, 'settings', fresh.id)).state).toBe('success');
  });

  it('refuses a listed password as the new one at the end of recovery (its settings flow)', async () => {
    const email = uniqueEmail('policy-recovery');
    await createIdentity(stack, email, 'a forgotten long passphrase 2');
    const b = new Browser('198.51.100.24');
    const recovery = await b.startFlow(stack.hubUrl, 'recovery');
    const since = Date.now();
    expect((await b.submit(stack.hubUrl, recovery, { method: 'code', email })).status).toBe(303);
    const code = await stack.smtp.latestCode(email, { since });
    const csrf = recovery.ui.nodes.find((n) => n.attributes.name === 'csrf_token')?.attributes.value as string;
    const done = await b.session.request(`${stack.hubUrl}/self-service/recovery?flow=${recovery.id}`, { form: { csrf_token: csrf, method: 'code', code }, follow: false });
    // Kratos signs the user in and hands over to a settings flow for the new password.
    expect(done.status).toBe(303);
    const location = new URL(done.headers.get('location') ?? '', stack.hubUrl);
    expect(location.pathname).toBe('/settings');
    const settings = await flowJson(b, 'settings', location.searchParams.get('flow') ?? '');
    const refused = await b.submit(stack.hubUrl, settings as unknown as Flow, { method: 'password', password: 'Password1234' });
    expect(refused.status).toBe(303);
    expect(await page(b, `/settings?flow=${settings.id}`)).toContain('This password is on a list of common and leaked passwords');
    expect((await flowJson(b, 'settings', settings.id)).state).not.toBe('success');
  });
});
