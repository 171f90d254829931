import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CapturedMail, HttpSession, waitFor } from '@ssohub/testkit';
import { type HubStack, startHubStack } from '../support/hub-stack.ts';
import { createIdentity, csrfOf, FAST_HASHING, type Flow, uniqueEmail } from './guard-helpers.ts';

type Kind = 'login' | 'registration' | 'recovery' | 'verification';

/**
 * Kratos' code mails come in the language of the page that asked for them: the hub's proxy adds
 * the request's locale to each flow submission's transient payload, and the courier templates of
 * deploy/kratos/courier-templates choose their text by it (English otherwise).
 */
describe("Kratos' mails in the user's language", () => {
  let stack: HubStack;
  beforeAll(async () => {
    stack = await startHubStack({ kratosOverrides: FAST_HASHING });
  });
  afterAll(async () => stack?.stop());

  /** A browser with a language: an Accept-Language header, or the picker's cookie. */
  function browser(language: { acceptLanguage?: string; pickerCookie?: string } = {}) {
    const session = new HttpSession();
    if (language.pickerCookie) session.jar.store(new URL(stack.hubUrl), [`ssohub_lang=${language.pickerCookie}; Path=/; Secure`]);
    const headers: Record<string, string> = language.acceptLanguage ? { 'accept-language': language.acceptLanguage } : {};
    return {
      async start(kind: Kind): Promise<Flow> {
        const res = await session.request(`${stack.hubUrl}/self-service/${kind}/browser`, { headers: { ...headers, accept: 'application/json' } });
        if (res.status !== 200) throw new Error(`flow init failed: ${res.status} ${res.body.slice(0, 300)}`);
        return JSON.parse(res.body) as Flow;
      },
      async submit(flow: Flow, fields: Record<string, string>) {
        const action = new URL(flow.ui.action);
        const res = await session.request(`${stack.hubUrl}${action.pathname}${action.search}`, {
          form: { csrf_token: csrfOf(flow), ...fields },
          headers,
          follow: false,
        });
        return res.status;
      },
    };
  }

  /** Where the mails sent from now on start in the capture's list. */
  const mark = () => stack.smtp.messages.length;

  /** The first mail to `email` captured after `from` (a mark), and its code. */
  async function mailTo(email: string, from: number): Promise<{ mail: CapturedMail; code: string | undefined }> {
    const address = email.toLowerCase();
    const mail = await waitFor(`a mail to ${email}`, async () => stack.smtp.messages.slice(from).find((m) => m.to.includes(address)), {
      timeoutMs: 20_000,
      intervalMs: 50,
    });
    return { mail, code: /\b(\d{6})\b/.exec(mail.text)?.[1] };
  }

  it('sends the registration code in German to a browser that asks for German', async () => {
    const email = uniqueEmail('locale-de');
    const from = mark();
    const b = browser({ acceptLanguage: 'de-DE,de;q=0.9,en;q=0.5' });
    const flow = await b.start('registration');
    expect(await b.submit(flow, { method: 'code', 'traits.email': email, 'traits.name': 'Grete Muster' })).toBe(303);
    const { mail, code } = await mailTo(email, from);
    expect(mail.subject).toBe('Registrierung Ihres Kontos abschließen');
    expect(mail.text).toContain('geben Sie diesen Code ein, um die Erstellung Ihres Kontos abzuschließen');
    expect(code).toMatch(/^\d{6}$/);
    // The HTML part too: Kratos drops it silently when its template fails to render.
    expect(mail.html).toContain('lang="de"');
    expect(mail.html).toContain(code);
  });

  it('sends the verification mail that follows a password registration in the language of that registration', async () => {
    const email = uniqueEmail('locale-pw');
    const from = mark();
    const b = browser({ acceptLanguage: 'de' });
    const flow = await b.start('registration');
    expect(await b.submit(flow, { method: 'password', 'traits.email': email, 'traits.name': 'Grete Muster', password: 'correct-horse-battery-9' })).toBe(303);
    const { mail, code } = await mailTo(email, from);
    expect(mail.subject).toBe('Bestätigen Sie Ihre E-Mail-Adresse');
    expect(mail.text).toContain('Oder öffnen Sie diesen Link:');
    expect(code).toMatch(/^\d{6}$/);
  });

  it('sends the sign-in code in French to a browser whose language picker says French', async () => {
    const email = uniqueEmail('locale-fr');
    await createIdentity(stack, email, 'correct-horse-battery-9');
    const from = mark();
    const b = browser({ pickerCookie: 'fr', acceptLanguage: 'en-US,en;q=0.9' });
    expect(await b.submit(await b.start('login'), { method: 'code', identifier: email })).toBe(303);
    const { mail, code } = await mailTo(email, from);
    expect(mail.subject).toBe('Connectez-vous à votre compte');
    expect(mail.text).toContain('saisissez ce code pour vous connecter à votre compte');
    expect(code).toMatch(/^\d{6}$/);
  });

  it('sends the recovery code in Spanish', async () => {
    const email = uniqueEmail('locale-es');
    await createIdentity(stack, email, 'correct-horse-battery-9');
    const from = mark();
    const b = browser({ acceptLanguage: 'es' });
    expect(await b.submit(await b.start('recovery'), { method: 'code', email })).toBe(303);
    const { mail, code } = await mailTo(email, from);
    expect(mail.subject).toBe('Recupere el acceso a su cuenta');
    expect(mail.text).toContain('Introduzca este código para recuperar el acceso a su cuenta');
    expect(code).toMatch(/^\d{6}$/);
    expect(mail.html).toContain('lang="es"');
    expect(mail.html).toContain(code);
  });

  it('sends the verification code and link in French', async () => {
    const email = uniqueEmail('locale-verify');
    await createIdentity(stack, email, 'correct-horse-battery-9');
    const from = mark();
    const b = browser({ acceptLanguage: 'fr-CA' });
    const flow = await b.start('verification');
    expect(await b.submit(flow, { method: 'code', email })).toBe(303);
    const { mail, code } = await mailTo(email, from);
    expect(mail.subject).toBe('Vérifiez votre adresse e-mail');
    expect(mail.text).toContain(flow.id);
    expect(code).toMatch(/^\d{6}$/);
  });

  it('writes English, with the subjects the other suites expect, when the browser names no language', async () => {
    const email = uniqueEmail('locale-en');
    await createIdentity(stack, email, 'correct-horse-battery-9');
    const b = browser();
    let from = mark();
    expect(await b.submit(await b.start('login'), { method: 'code', identifier: email })).toBe(303);
    const login = await mailTo(email, from);
    expect(login.mail.subject).toMatch(/sign in to your account/i);
    expect(login.mail.text).toContain('Enter this code to sign in to your account');
    expect(login.mail.html).toContain('lang="en"');
    expect(login.mail.html).toContain(login.code);
    expect(login.code).toMatch(/^\d{6}$/);

    from = mark();
    expect(await b.submit(await b.start('recovery'), { method: 'code', email })).toBe(303);
    expect((await mailTo(email, from)).mail.subject).toMatch(/recover access/i);

    from = mark();
    expect(await b.submit(await b.start('verification'), { method: 'code', email })).toBe(303);
    expect((await mailTo(email, from)).mail.subject).toMatch(/verify your email/i);

    const fresh = uniqueEmail('locale-en-reg');
    from = mark();
    expect(await b.submit(await b.start('registration'), { method: 'code', 'traits.email': fresh, 'traits.name': 'Ada' })).toBe(303);
    expect((await mailTo(fresh, from)).mail.subject).toMatch(/complete your account registration/i);
  });

  it('keeps a transient payload the page sent itself, its own locale included', async () => {
    const email = uniqueEmail('locale-own');
    await createIdentity(stack, email, 'correct-horse-battery-9');
    const from = mark();
    const b = browser({ acceptLanguage: 'de' });
    const status = await b.submit(await b.start('login'), { method: 'code', identifier: email, transient_payload: JSON.stringify({ locale: 'es', app: 'x' }) });
    expect(status).toBe(303);
    expect((await mailTo(email, from)).mail.subject).toBe('Inicie sesión en su cuenta');
  });

  it('falls back to English for a locale the templates do not know', async () => {
    const email = uniqueEmail('locale-unknown');
    await createIdentity(stack, email, 'correct-horse-battery-9');
    const from = mark();
    const b = browser();
    const status = await b.submit(await b.start('login'), { method: 'code', identifier: email, transient_payload: JSON.stringify({ locale: 42 }) });
    expect(status).toBe(303);
    expect((await mailTo(email, from)).mail.subject).toBe('Sign in to your account');
  });
});
