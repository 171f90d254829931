import { createHash } from 'node:crypto';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { registerHubRequest } from '../http/register-hub-request.ts';
import { registerSecurityHeaders } from '../http/security-headers.ts';
import { runHubRequest } from '../request/hub-request.ts';
import { type FlowNode, type FlowUi, renderUi } from './render-nodes.ts';
import { WEBAUTHN_SCRIPT_INTEGRITY, WEBAUTHN_SCRIPT_PATH, WEBAUTHN_SCRIPT_SOURCE } from './webauthn-script.ts';

const hub = 'https://login.sso.test';
const input = (group: string, attributes: Record<string, unknown>, label?: { id: number; text: string }): FlowNode => ({
  type: 'input',
  group,
  attributes: { node_type: 'input', disabled: false, ...attributes },
  messages: [],
  meta: label ? { label } : {},
});

/** Kratos v1.3.1's first-factor login with passkeys on (nodes as it sends them, options shortened). */
const passkeyLogin: FlowUi = {
  action: `${hub}/self-service/login?flow=f1`,
  method: 'POST',
  nodes: [
    input('default', { name: 'csrf_token', type: 'hidden', value: 't' }),
    input('default', { name: 'identifier', type: 'text', required: true, autocomplete: 'username webauthn' }, { id: 1070004, text: 'ID' }),
    input('password', { name: 'password', type: 'password', required: true }, { id: 1070001, text: 'Password' }),
    input('password', { name: 'method', type: 'submit', value: 'password' }, { id: 1010001, text: 'Sign in' }),
    { type: 'script', group: 'webauthn', attributes: { node_type: 'script', id: 'webauthn_script', src: `${hub}/.well-known/ory/webauthn.js`, integrity: 'sha512-x' }, messages: [], meta: {} },
    input('passkey', { name: 'passkey_challenge', type: 'hidden', value: '{"publicKey":{"challenge":"abc"}}' }),
    input('passkey', { name: 'passkey_login', type: 'hidden', onload: 'window.oryPasskeyLoginAutocompleteInit()', onloadTrigger: 'oryPasskeyLoginAutocompleteInit' }),
    input('passkey', { name: 'passkey_login_trigger', type: 'button', onclick: 'window.oryPasskeyLogin()', onclickTrigger: 'oryPasskeyLogin' }, { id: 1010021, text: 'Sign in with passkey' }),
  ],
};

describe('passkey and security-key buttons', () => {
  it('renders the trigger disabled, with the "needs JavaScript" note, as its method’s own choice; never Kratos’ script or handlers', () => {
    const out = runHubRequest(() => renderUi(passkeyLogin, { hubOrigin: hub }).value);
    const trigger = /<button[^>]*data-testid="node\/passkey\/passkey_login_trigger"[^>]*>/.exec(out)?.[0] ?? '';
    expect(trigger).toContain('type="button"');
    expect(trigger).toContain(' disabled');
    expect(trigger).toContain('data-webauthn="oryPasskeyLogin"');
    expect(trigger).toContain('class="secondary"');
    expect(out).toMatch(/data-webauthn-note="nojs">This option needs JavaScript/);
    expect(out).toMatch(/data-webauthn-note="failed" role="alert" hidden>/);
    // One "or": between the password and the passkey; the group holding only Kratos' script is not shown.
    expect(out.match(/class="or"/g)).toHaveLength(1);
    expect(out).not.toContain('secondary-actions');
    expect(out).not.toMatch(/onclick|onload|webauthn\.js|sha512-x/);
    expect(out).toContain('name="passkey_challenge" value="{&quot;publicKey&quot;:{&quot;challenge&quot;:&quot;abc&quot;}}"');
  });

  it('keeps a security key’s options in its trigger’s value, where the script reads them', () => {
    const options = { publicKey: { challenge: 'c', allowCredentials: [{ id: 'k', type: 'public-key' }] } };
    const out = runHubRequest(
      () =>
        renderUi(
          {
            action: `${hub}/self-service/login?flow=f2`,
            method: 'POST',
            nodes: [
              input('default', { name: 'csrf_token', type: 'hidden', value: 't' }),
              input('webauthn', { name: 'webauthn_login', type: 'hidden' }),
              input('webauthn', { name: 'webauthn_login_trigger', type: 'button', value: JSON.stringify(options), onclickTrigger: 'oryWebAuthnLogin' }, { id: 1010008, text: 'Use security key' }),
            ],
          },
          { hubOrigin: hub },
        ).value,
    );
    const value = /name="webauthn_login_trigger" value="([^"]*)"/.exec(out)?.[1] ?? '';
    expect(JSON.parse(value.replaceAll('&quot;', '"'))).toEqual(options);
    expect(out).toContain('class="primary"');
  });

  it('adds the script tag once, with the request’s nonce and the script’s integrity; none without such a button or outside a request', () => {
    const out = runHubRequest(() => renderUi(passkeyLogin, { hubOrigin: hub }).value);
    expect(out.match(/<script /g)).toHaveLength(1);
    expect(out).toMatch(new RegExp(`<script src="${WEBAUTHN_SCRIPT_PATH}" integrity="${WEBAUTHN_SCRIPT_INTEGRITY.replace(/[+/]/g, '\\$&')}" nonce="[A-Za-z0-9+/]{22}==" defer></script>$`));
    // Outside a request there is no answer to allow it in: the button stays disabled.
    expect(renderUi(passkeyLogin, { hubOrigin: hub }).value).not.toContain('<script');
    const plain = { ...passkeyLogin, nodes: passkeyLogin.nodes.filter((n) => n.group !== 'passkey') };
    expect(runHubRequest(() => renderUi(plain, { hubOrigin: hub }).value)).not.toContain('<script');
  });

  it('names the script by its content: sha384 integrity, hashed address', () => {
    expect(WEBAUTHN_SCRIPT_INTEGRITY).toBe(`sha384-${createHash('sha384').update(WEBAUTHN_SCRIPT_SOURCE).digest('base64')}`);
    expect(WEBAUTHN_SCRIPT_PATH).toMatch(/^\/assets\/webauthn-[0-9a-f]{16}\.js$/);
    // Kratos' trigger names the script handles are the ones the renderer marks.
    for (const name of ['oryPasskeyLogin', 'oryPasskeyRegistration', 'oryPasskeySettingsRegistration', 'oryWebAuthnLogin', 'oryWebAuthnRegistration']) {
      expect(WEBAUTHN_SCRIPT_SOURCE).toContain(`${name}: function`);
    }
  });
});

describe('the CSP of a page with passkey buttons', () => {
  async function app() {
    const a = Fastify();
    registerHubRequest(a);
    registerSecurityHeaders(a, { https: true });
    a.get('/login', async (_request, reply) => reply.type('text/html').send(renderUi(passkeyLogin, { hubOrigin: hub }).value));
    a.get('/plain', async (_request, reply) => reply.type('text/html').send(renderUi({ ...passkeyLogin, nodes: passkeyLogin.nodes.slice(0, 4) }, { hubOrigin: hub }).value));
    await a.ready();
    return a;
  }

  it("allows exactly that answer's nonce, a new one per answer; other pages allow no script", async () => {
    const a = await app();
    const nonces: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await a.inject('/login');
      const nonce = / nonce="([^"]+)"/.exec(res.body)?.[1];
      const csp = String(res.headers['content-security-policy']);
      expect(csp.split('; ').filter((d) => d.startsWith('script-src'))).toEqual([`script-src 'nonce-${nonce}'`]);
      expect(csp).toMatch(/^default-src 'none'; style-src 'self'; img-src 'self' data:; script-src /);
      nonces.push(nonce!);
    }
    expect(nonces[0]).not.toBe(nonces[1]);
    const plain = await a.inject('/plain');
    expect(String(plain.headers['content-security-policy'])).not.toContain('script-src');
  });
});
