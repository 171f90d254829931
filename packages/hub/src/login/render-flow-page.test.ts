import { describe, expect, it } from 'vitest';
import type { AnyFlow } from '../kratos/kratos-client.ts';
import { HubRequest, runHubRequest } from '../request/hub-request.ts';
import type { FlowNoticeCode } from './flow-notice.ts';
import { clientOfReturnTo, interactionUidOf } from './client-of-return-to.ts';
import { renderClientLine, renderFlowBody, renderNotice } from './render-flow-page.ts';
import type { FlowNode } from './render-nodes.ts';

const hub = 'https://login.sso.test';
const node = (group: string, attributes: Record<string, unknown>, messages: FlowNode['messages'] = []): FlowNode => ({
  type: 'input',
  group,
  attributes: { node_type: 'input', disabled: false, ...attributes },
  messages,
  meta: {},
});

/** A login flow after Kratos mailed a code (state sent_email), as Kratos v1.3.1 shapes it. */
const codeSent = (extra: { messages?: FlowNode['messages']; codeMessages?: FlowNode['messages'] } = {}) =>
  ({
    id: 'f1',
    state: 'sent_email',
    ui: {
      action: `${hub}/self-service/login?flow=f1`,
      method: 'POST',
      messages: extra.messages ?? [{ id: 1010014, text: 'An email containing a code has been sent to the email address you provided.', type: 'info' }],
      nodes: [
        node('default', { name: 'csrf_token', type: 'hidden', value: 't' }),
        node('default', { name: 'identifier', type: 'hidden', value: 'ada@example.test' }),
        node('code', { name: 'code', type: 'text', required: true }, extra.codeMessages),
        node('code', { name: 'method', type: 'submit', value: 'code' }),
        node('code', { name: 'resend', type: 'submit', value: 'code' }),
      ],
    },
  }) as unknown as AnyFlow;

const body = (flow: AnyFlow, notice?: FlowNoticeCode) =>
  renderFlowBody('login', flow, { hubOrigin: hub, linkOrigins: [], notice, links: { returnTo: undefined, signedIn: false }, destination: undefined }).value;

describe('flow page notices (issue #20)', () => {
  it('after a resend the page says a new code went out, to which address', () => {
    const out = body(codeSent(), 'code_resent');
    expect(out).toContain('data-testid="ui/notice/code_resent"');
    expect(out).toMatch(/We sent a new code to <strong>ada@example\.test<\/strong>/);
    // Kratos' own "code sent" message is still there: the notice is what tells the two sends apart.
    expect(out).toContain('data-testid="ui/message/1010014"');
    expect(body(codeSent())).not.toContain('ui/notice/code_resent');
  });

  it('no "new code" notice when Kratos refused the resend or no code is pending', () => {
    expect(body(codeSent({ messages: [{ id: 4000035, text: 'x', type: 'error' }] }), 'code_resent')).not.toContain('ui/notice/code_resent');
    expect(body(codeSent({ codeMessages: [{ id: 4010008, text: 'x', type: 'error' }] }), 'code_resent')).not.toContain('ui/notice/code_resent');
    const chooseMethod = { ...(codeSent() as object), state: 'choose_method' } as unknown as AnyFlow;
    expect(body(chooseMethod, 'code_resent')).not.toContain('ui/notice/code_resent');
  });

  it('notices are live regions outside any list (axe "list")', () => {
    const out = body(codeSent(), 'flow_expired');
    expect(out).not.toMatch(/<li[^>]*role=/);
    expect(out).toMatch(/<div class="msg info" role="status" data-testid="ui\/notice\/flow_expired">/);
    expect(String(renderNotice('csrf'))).toMatch(/^<div class="msg error" role="alert"/);
  });
});

describe('code sign-in for an address without an account (issue #20, decision 0013)', () => {
  it('Kratos 4000035 is shown in words that do not say whether the account exists', () => {
    const flow = {
      id: 'f2',
      state: 'choose_method',
      ui: {
        action: `${hub}/self-service/login?flow=f2`,
        method: 'POST',
        messages: [{ id: 4000035, text: 'This account does not exist or has not setup sign in with code.', type: 'error' }],
        nodes: [node('default', { name: 'identifier', type: 'text', required: true, value: 'nobody@example.test' }), node('code', { name: 'method', type: 'submit', value: 'code' })],
      },
    } as unknown as AnyFlow;
    const out = body(flow);
    expect(out).toContain('data-testid="ui/message/4000035"');
    expect(out).not.toMatch(/does not exist|not setup|no account|does not belong/i);
  });
});

describe('the app being signed in to (issue #20)', () => {
  const chooseMethod = { ...(codeSent() as object), state: 'choose_method' } as unknown as AnyFlow;
  const withClient = (kind: 'login' | 'registration' | 'recovery', client: Parameters<typeof renderClientLine>[1]) =>
    renderFlowBody(kind, chooseMethod, { hubOrigin: hub, linkOrigins: [], notice: undefined, links: { returnTo: undefined, signedIn: false }, destination: undefined, client }).value;

  it('names the app on the sign-in and registration pages, linked to its client_uri', () => {
    const shop = { clientId: 'shop-b', name: 'Shop B', clientUri: 'https://shop-b.test/' };
    expect(withClient('login', shop)).toMatch(/data-testid="flow\/client">Sign in to continue to <a href="https:\/\/shop-b\.test\/" rel="noopener noreferrer" data-testid="flow\/client-name">Shop B<\/a>/);
    expect(withClient('registration', shop)).toMatch(/Create your account to continue to <a [^>]*>Shop B<\/a>/);
    expect(withClient('recovery', shop)).not.toContain('flow/client');
    expect(withClient('login', undefined)).not.toContain('flow/client');
  });

  it('escapes the name and links only https addresses', () => {
    const out = withClient('login', {
      clientId: 'x',
      name: '<img src=x onerror=alert(1)> & "Co"',
      clientUri: 'javascript:alert(1)',
      policyUri: 'http://shop-b.test/privacy',
      tosUri: 'https://shop-b.test/terms?a=1&b="2"',
    });
    expect(out).not.toContain('<img');
    expect(out).toContain('<strong data-testid="flow/client-name">&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Co&quot;</strong>');
    expect(out).not.toContain('javascript:');
    expect(out).not.toContain('flow/client/policy');
    expect(out).not.toContain('http://shop-b.test');
    expect(out).toContain('href="https://shop-b.test/terms?a=1&amp;b=%222%22"');
    expect(out).toContain('data-testid="flow/client/tos">terms of service</a>');
  });

  it('links to the privacy policy and terms when both are set', () => {
    const out = String(renderClientLine('login', { clientId: 'a', name: 'App A', policyUri: 'https://a.test/p', tosUri: 'https://a.test/t' }));
    // The apostrophe comes from the catalog, escaped like all its text.
    expect(out).toMatch(/App A&#39;s <a href="https:\/\/a\.test\/p"[^>]*>privacy policy<\/a> and <a href="https:\/\/a\.test\/t"[^>]*>terms of service<\/a>/);
  });
});

describe('interactionUidOf (issue #20)', () => {
  it('reads the uid of the hub\'s own interaction page only', () => {
    expect(interactionUidOf(`${hub}/interaction/abc_DEF-123`, hub)).toBe('abc_DEF-123');
    expect(interactionUidOf(`${hub}/interaction/abc?x=1`, hub)).toBe('abc');
    expect(interactionUidOf('https://evil.test/interaction/abc', hub)).toBeUndefined();
    expect(interactionUidOf(`http://login.sso.test/interaction/abc`, hub)).toBeUndefined();
    expect(interactionUidOf(`https://u:p@login.sso.test/interaction/abc`, hub)).toBeUndefined();
    expect(interactionUidOf(`${hub}/interaction/abc/consent`, hub)).toBeUndefined();
    expect(interactionUidOf(`${hub}/interaction/`, hub)).toBeUndefined();
    expect(interactionUidOf(`${hub}/settings`, hub)).toBeUndefined();
    expect(interactionUidOf('not a url', hub)).toBeUndefined();
    expect(interactionUidOf(undefined, hub)).toBeUndefined();
  });

  it('a lookup that fails leaves the page without a name', async () => {
    const errors: unknown[] = [];
    const bridge = { clientOfInteraction: async () => Promise.reject(new Error('store down')) };
    expect(await clientOfReturnTo(`${hub}/interaction/abc`, { publicUrl: hub, bridge, onError: (e) => errors.push(e) })).toBeUndefined();
    expect(errors).toHaveLength(1);
    const asked: string[] = [];
    const spy = { clientOfInteraction: async (uid: string) => {
      asked.push(uid);
      return undefined;
    } };
    await clientOfReturnTo('https://evil.test/interaction/abc', { publicUrl: hub, bridge: spy });
    expect(asked).toEqual([]);
  });
});

describe('flow pages in the request\'s language (issue #20)', () => {
  const inLanguage = <T>(acceptLanguage: string, fn: () => T): T => runHubRequest(fn, new HubRequest('id', { acceptLanguage }));
  const chooseMethod = { ...(codeSent() as object), state: 'choose_method' } as unknown as AnyFlow;
  const render = (kind: 'login' | 'registration' | 'settings', flow: AnyFlow, o: { notice?: FlowNoticeCode; back?: { href: string; app: string } } = {}) =>
    renderFlowBody(kind, flow, {
      hubOrigin: hub,
      linkOrigins: [],
      notice: o.notice,
      links: { returnTo: undefined, signedIn: kind === 'settings', back: o.back, unverified: true },
      destination: 'shop-b.test',
      client: kind === 'settings' ? undefined : { clientId: 'shop-b', name: 'Shop B', policyUri: 'https://shop-b.test/p', tosUri: 'https://shop-b.test/t' },
    }).value;

  it('German: headings, the app line, links and notices', () => {
    const login = inLanguage('de-DE,de;q=0.9,en;q=0.5', () => render('login', chooseMethod, { notice: 'flow_expired' }));
    expect(login).toContain('data-testid="flow/title">Anmelden</h1>');
    expect(login).toContain('Ein Konto für alle Apps, die mit diesem Dienst verbunden sind.');
    expect(login).toContain('data-testid="flow/client">Melden Sie sich an, um mit <strong data-testid="flow/client-name">Shop B</strong> fortzufahren</p>');
    expect(login).toMatch(/Shop B: <a [^>]*>Datenschutzerklärung<\/a> und <a [^>]*>Nutzungsbedingungen<\/a>/);
    expect(login).toContain('Anschließend geht es weiter zu <strong>shop-b.test</strong>.');
    expect(login).toContain('data-testid="ui/notice/flow_expired">Das Formular war abgelaufen');
    expect(login).toContain('<nav class="links" aria-label="Weitere Optionen">');
    expect(login).toContain('data-testid="link/registration">Konto erstellen</a>');
    expect(login).toContain('data-testid="link/recovery">Passwort vergessen?</a>');
    expect(login).not.toMatch(/Sign in|Create an account|Other options/);

    const resent = inLanguage('de', () => render('login', codeSent(), { notice: 'code_resent' }));
    expect(resent).toContain('data-testid="flow/title">Prüfen Sie Ihre E-Mails</h1>');
    expect(resent).toContain('Wir haben einen neuen Code an <strong>ada@example.test</strong> gesendet.');

    const registration = inLanguage('de', () => render('registration', chooseMethod));
    expect(registration).toContain('data-testid="flow/title">Konto erstellen</h1>');
    expect(registration).toContain('Erstellen Sie Ihr Konto, um mit <strong data-testid="flow/client-name">Shop B</strong> fortzufahren');
    expect(registration).toContain('<span class="muted">Sie haben bereits ein Konto?</span><a href="/login" data-testid="link/login">Anmelden</a>');

    const settings = inLanguage('de', () => render('settings', chooseMethod, { back: { href: 'https://shop-b.test/', app: 'Shop B' } }));
    expect(settings).toContain('data-testid="link/back">Zurück zu Shop B</a>');
    expect(settings).toContain('data-testid="link/logout">Abmelden</a>');
  });

  it('French and Spanish: the same page in each language', () => {
    const fr = inLanguage('fr-CA,fr;q=0.9', () => render('login', chooseMethod, { notice: 'csrf' }));
    expect(fr).toContain('data-testid="flow/title">Se connecter</h1>');
    expect(fr).toContain('Connectez-vous pour continuer vers <strong data-testid="flow/client-name">Shop B</strong>');
    expect(fr).toContain('data-testid="link/recovery">Mot de passe oublié\u00a0?</a>');
    expect(fr).toContain('Pour votre sécurité, nous n’avons pas pu accepter ce formulaire');
    const es = inLanguage('es', () => render('registration', chooseMethod));
    expect(es).toContain('data-testid="flow/title">Cree su cuenta</h1>');
    expect(es).toContain('Cree su cuenta para continuar en <strong data-testid="flow/client-name">Shop B</strong>');
    expect(es).toContain('data-testid="link/login">Iniciar sesión</a>');
  });

  it('English outside a request and for an unsupported language', () => {
    expect(render('login', chooseMethod)).toContain('data-testid="flow/title">Sign in</h1>');
    expect(inLanguage('ja', () => render('login', chooseMethod))).toContain('Sign in to continue to <strong data-testid="flow/client-name">Shop B</strong>');
  });
});

describe('verification that an app sign-in waits for (issue #21, decision 0016)', () => {
  const verification = (state: string) =>
    ({ id: 'v1', state, ui: { action: `${hub}/self-service/verification?flow=v1`, method: 'POST', nodes: [node('code', { name: 'email', type: 'email', required: true }), node('code', { name: 'method', type: 'submit', value: 'code' })] } }) as unknown as AnyFlow;
  const page = (state: string, cancelSignIn: string | undefined, notice?: FlowNoticeCode) =>
    renderFlowBody('verification', verification(state), { hubOrigin: hub, linkOrigins: [], notice, links: { returnTo: `${hub}/interaction/abc`, signedIn: true, cancelSignIn }, destination: undefined }).value;

  it('explains why, and offers to give the sign-in up or sign out instead of going to the account', () => {
    const out = page('choose_method', `${hub}/interaction/abc/cancel`, 'verify_required');
    expect(out).toContain('data-testid="ui/notice/verify_required"');
    expect(out).toContain('confirm your email address');
    expect(out).toContain(`<a href="${hub}/interaction/abc/cancel" data-testid="link/cancel-sign-in">Cancel and go back to the app</a>`);
    expect(out).toContain('data-testid="link/logout"');
    expect(out).not.toContain('data-testid="link/home"');
  });

  it('once verified, no cancel link next to Kratos\' "continue"; without a waiting sign-in, the usual links', () => {
    expect(page('passed_challenge', `${hub}/interaction/abc/cancel`)).not.toContain('link/cancel-sign-in');
    expect(page('choose_method', undefined)).toContain('data-testid="link/home"');
  });
});
