import { describe, expect, it } from 'vitest';
import { type FlowNode, renderMessages, renderUi } from './render-nodes.ts';

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

// Issue #20, UX defects on the flow pages.
describe('renderUi: issue #20', () => {
  const csrf = input('default', { name: 'csrf_token', type: 'hidden', value: 't' });

  it('registration step 1: no "or" above the only button', () => {
    const out = renderUi(
      {
        action,
        method: 'POST',
        nodes: [
          csrf,
          input('default', { name: 'traits.email', type: 'email', required: true, autocomplete: 'email' }, { id: 1070002, text: 'Email address' }),
          input('default', { name: 'traits.name', type: 'text' }, { id: 1070002, text: 'Full name' }),
          input('profile', { name: 'method', type: 'submit', value: 'profile' }, { id: 1040001, text: 'Sign up' }),
        ],
      },
      { hubOrigin: hub },
    ).value;
    expect(out).not.toContain('class="or"');
    expect(/<button[^>]*value="profile"[^>]*>/.exec(out)?.[0]).toContain('class="primary"');
  });

  it('an "or" still separates two shown methods (password, then the code button)', () => {
    const out = renderUi(
      {
        action: `${hub}/self-service/login?flow=f2`,
        method: 'POST',
        nodes: [
          csrf,
          input('default', { name: 'identifier', type: 'text', required: true }, { id: 1070002, text: 'Email' }),
          input('password', { name: 'password', type: 'password', required: true, autocomplete: 'current-password' }, { id: 1070001, text: 'Password' }),
          input('password', { name: 'method', type: 'submit', value: 'password' }, { id: 1010022, text: 'Sign in' }),
          input('code', { name: 'method', type: 'submit', value: 'code' }, { id: 1010015, text: 'Send sign in code' }),
        ],
      },
      { hubOrigin: hub },
    ).value;
    expect(out.match(/class="or"/g)).toHaveLength(1);
    expect(out.indexOf('class="or"')).toBeGreaterThan(out.indexOf('node/password/method'));
    expect(out.indexOf('class="or"')).toBeLessThan(out.indexOf('node/code/method'));
  });

  it('login by code only: no "or" above its one button after the identifier', () => {
    const out = renderUi(
      {
        action: `${hub}/self-service/login?flow=f3`,
        method: 'POST',
        nodes: [csrf, input('default', { name: 'identifier', type: 'text', required: true }, { id: 1070002, text: 'Email' }), input('code', { name: 'method', type: 'submit', value: 'code' }, { id: 1010015, text: 'Send sign in code' })],
      },
      { hubOrigin: hub },
    ).value;
    expect(out).not.toContain('class="or"');
  });

  it('autocomplete: identifier is a username, the name trait a name; Kratos\' own tokens are kept', () => {
    const out = renderUi(
      {
        action,
        method: 'POST',
        nodes: [
          csrf,
          input('default', { name: 'identifier', type: 'text', required: true }, { id: 1070002, text: 'Email' }),
          input('default', { name: 'traits.email', type: 'email', autocomplete: 'email' }, { id: 1070002, text: 'Email address' }),
          input('default', { name: 'traits.name', type: 'text' }, { id: 1070002, text: 'Full name' }),
          input('password', { name: 'password', type: 'password', autocomplete: 'new-password' }, { id: 1070001, text: 'Password' }),
        ],
      },
      { hubOrigin: hub },
    ).value;
    const tag = (name: string) => new RegExp(`<input [^>]*name="${name.replace('.', '\\.')}"[^>]*>`).exec(out)?.[0] ?? '';
    expect(tag('identifier')).toContain('autocomplete="username"');
    expect(tag('traits.email')).toContain('autocomplete="email"');
    expect(tag('traits.name')).toContain('autocomplete="name"');
    expect(tag('password')).toContain('autocomplete="new-password"');
  });

  it('an email trait without Kratos\' token still gets autocomplete="email"', () => {
    const out = renderUi({ action, method: 'POST', nodes: [csrf, input('default', { name: 'traits.email', type: 'email' }, { id: 1070002, text: 'Email' })] }, { hubOrigin: hub }).value;
    expect(out).toMatch(/<input [^>]*name="traits\.email"[^>]*autocomplete="email"/);
  });

  it('autofocus on the first field that carries an error, and on no other', () => {
    const err = (id: number) => [{ id, text: 'x', type: 'error' }];
    const out = renderUi(
      {
        action: `${hub}/self-service/login?flow=f4`,
        method: 'POST',
        nodes: [
          csrf,
          input('default', { name: 'identifier', type: 'text', required: true, value: 'a@b.test' }, { id: 1070002, text: 'Email' }),
          input('password', { name: 'password', type: 'password', required: true }, { id: 1070001, text: 'Password' }, err(4000002)),
          input('password', { name: 'method', type: 'submit', value: 'password' }, { id: 1010022, text: 'Sign in' }),
          input('code', { name: 'code', type: 'text', required: true }, { id: 1070012, text: 'Code' }, err(4010008)),
        ],
      },
      { hubOrigin: hub },
    ).value;
    expect(out.match(/ autofocus/g)).toHaveLength(1);
    expect(/<input [^>]*name="password"[^>]*>/.exec(out)?.[0]).toContain(' autofocus');
  });

  it('an error Kratos puts on the whole flow (wrong code) focuses the first required field, once', () => {
    const out = renderUi(
      {
        action,
        method: 'POST',
        messages: [{ id: 4040003, text: 'The registration code is invalid or has already been used. Please try again.', type: 'error' }],
        nodes: [
          csrf,
          input('default', { name: 'traits.email', type: 'hidden', value: 'a@b.test' }),
          input('code', { name: 'code', type: 'text', required: true }, { id: 1070012, text: 'Code' }),
          input('code', { name: 'method', type: 'submit', value: 'code' }, { id: 1070009, text: 'Continue' }),
          input('code', { name: 'resend', type: 'submit', value: 'code' }, { id: 1070008, text: 'Resend' }),
        ],
      },
      { hubOrigin: hub },
    ).value;
    expect(out.match(/ autofocus/g)).toHaveLength(1);
    expect(/<input [^>]*name="code"[^>]*>/.exec(out)?.[0]).toContain(' autofocus');
  });

  it('no autofocus without an error', () => {
    const out = renderUi({ action, method: 'POST', nodes: [csrf, input('default', { name: 'identifier', type: 'text', required: true }, { id: 1070002, text: 'Email' })] }, { hubOrigin: hub }).value;
    expect(out).not.toContain('autofocus');
  });
});

describe('renderMessages: issue #20', () => {
  it('no list item with a role (axe "list"): each message is its own live region, errors are alerts', () => {
    const out = renderMessages([
      { id: 4000006, text: 'The provided credentials are invalid', type: 'error' },
      { id: 1010014, text: 'sent', type: 'info' },
    ]).value;
    expect(out).not.toMatch(/<li[^>]*role=/);
    expect(out).not.toContain('<ul');
    expect(out).toMatch(/<div class="msg error" role="alert" data-testid="ui\/message\/4000006">/);
    expect(out).toMatch(/<div class="msg info" role="status" data-testid="ui\/message\/1010014">/);
  });
});
