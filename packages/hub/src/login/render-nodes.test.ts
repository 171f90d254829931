import { describe, expect, it } from 'vitest';
import { type FlowNode, renderUi } from './render-nodes.ts';

const input = (group: string, attributes: Record<string, unknown>, label?: { id: number; text: string }, messages: FlowNode['messages'] = []): FlowNode => ({
  type: 'input',
  group,
  attributes: { node_type: 'input', disabled: false, ...attributes },
  messages,
  meta: label ? { label } : {},
});

const hub = 'https://login.sso.test';
const action = `${hub}/self-service/registration?flow=f1`;

describe('renderUi', () => {
  it('renders the code-sent registration state: one form per group, resend skips validation and comes after Continue', () => {
    const out = renderUi(
      {
        action,
        method: 'POST',
        nodes: [
          input('default', { name: 'traits.email', type: 'hidden', value: 'a@b.test' }),
          input('default', { name: 'csrf_token', type: 'hidden', value: 'tok<"&' }),
          input('code', { name: 'code', type: 'text', required: true }, { id: 1070012, text: 'Registration code' }),
          input('code', { name: 'resend', type: 'submit', value: 'code' }, { id: 1070008, text: 'Resend code' }),
          input('code', { name: 'method', type: 'submit', value: 'code' }, { id: 1070009, text: 'Continue' }),
          input('profile', { name: 'screen', type: 'submit', value: 'credential-selection' }, { id: 1040008, text: 'Back' }),
        ],
      },
      { hubOrigin: hub },
    ).value;
    expect(out.match(/<form /g)).toHaveLength(2);
    expect(out).toContain(`action="${action}"`);
    // Values are escaped; hidden fields travel with each form.
    expect(out).toContain('value="tok&lt;&quot;&amp;"');
    expect(out.match(/name="csrf_token"/g)).toHaveLength(2);
    const resend = /<button[^>]*name="resend"[^>]*>/.exec(out)?.[0] ?? '';
    expect(resend).toContain('formnovalidate');
    expect(resend).toContain('data-testid="node/code/resend"');
    expect(out.indexOf('node/code/method')).toBeLessThan(out.indexOf('node/code/resend'));
    expect(out).toContain('>Send a new code</button>');
    expect(out).toMatch(/<input type="text" id="f-code" name="code" required[^>]*autocomplete="one-time-code"/);
  });

  it('keeps login in one form when the identifier is shown, and the code button does not need the password', () => {
    const out = renderUi(
      {
        action: `${hub}/self-service/login?flow=f2`,
        method: 'POST',
        nodes: [
          input('default', { name: 'csrf_token', type: 'hidden', value: 't' }),
          input('default', { name: 'identifier', type: 'text', required: true }, { id: 1070002, text: 'Email' }, [{ id: 4000002, text: 'Property identifier is missing.', type: 'error' }]),
          input('code', { name: 'method', type: 'submit', value: 'code' }, { id: 1010015, text: 'Send sign in code' }),
          input('password', { name: 'password', type: 'password', required: true }, { id: 1070001, text: 'Password' }),
          input('password', { name: 'method', type: 'submit', value: 'password' }, { id: 1010022, text: 'Sign in with password' }),
        ],
      },
      { hubOrigin: hub },
    ).value;
    expect(out.match(/<form /g)).toHaveLength(1);
    expect(out.indexOf('node/password/method')).toBeLessThan(out.indexOf('node/code/method'));
    expect(/<button[^>]*value="code"[^>]*>/.exec(out)?.[0]).toContain('formnovalidate');
    expect(/<button[^>]*value="password"[^>]*>/.exec(out)?.[0]).not.toContain('formnovalidate');
    expect(out).toContain('data-testid="ui/message/4000002"');
    expect(out).toContain('aria-invalid="true"');
  });

  it('renders text, image and link nodes, and never a script node or a foreign form action', () => {
    const out = renderUi(
      {
        action: 'https://evil.example/steal',
        method: 'POST',
        nodes: [
          { type: 'text', group: 'lookup_secret', attributes: { id: 'lookup_secret_codes', text: { id: 1050015, text: 'a b', context: { secrets: [{ id: 1, text: 'abc123' }] } } }, messages: [], meta: {} },
          { type: 'img', group: 'totp', attributes: { id: 'totp_qr', src: 'data:image/png;base64,AAAA', width: 100, height: 100 }, messages: [], meta: { label: { id: 1050005, text: 'QR code' } } },
          { type: 'a', group: 'code', attributes: { id: 'continue', href: 'https://evil.example/', title: { id: 1070009, text: 'Continue' } }, messages: [], meta: {} },
          { type: 'script', group: 'webauthn', attributes: { id: 's', src: 'https://cdn.example/x.js' }, messages: [], meta: {} },
        ],
      },
      { hubOrigin: hub },
    ).value;
    expect(out).toContain('<code>abc123</code>');
    expect(out).toContain('src="data:image/png;base64,AAAA"');
    expect(out).not.toContain('<script');
    expect(out).not.toContain('evil.example');
    expect(out).toContain('action="/"');
  });

  it('settings: an action-only group (remove the authenticator app) keeps its heading and a real button', () => {
    const out = String(
      renderUi(
        {
          action: `${hub}/self-service/settings?flow=s1`,
          method: 'POST',
          nodes: [
            input('default', { name: 'csrf_token', type: 'hidden', value: 't' }),
            input('password', { name: 'password', type: 'password', required: true }, { id: 1070001, text: 'Password' }),
            input('password', { name: 'method', type: 'submit', value: 'password' }, { id: 1070003, text: 'Save' }),
            input('totp', { name: 'totp_unlink', type: 'submit', value: 'true', required: true }, { id: 1050004, text: 'Unlink TOTP Authenticator App' }),
          ],
        },
        { hubOrigin: hub, groupHeadings: true },
      ),
    );
    expect(out).toContain('<legend class="group-title">Authenticator app</legend>');
    expect(out).toContain('class="group group-totp"');
    expect(out).toMatch(/<button type="submit" name="totp_unlink" value="true" class="secondary" formnovalidate data-testid="node\/totp\/totp_unlink">Remove the authenticator app<\/button>/);
  });
});
