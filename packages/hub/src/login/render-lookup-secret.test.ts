import { describe, expect, it } from 'vitest';
import { type FlowNode, renderUi } from './render-nodes.ts';

const hub = 'https://login.sso.test';
const action = `${hub}/self-service/settings?flow=f1`;
const csrf: FlowNode = { type: 'input', group: 'default', attributes: { name: 'csrf_token', type: 'hidden', value: 't' }, messages: [], meta: {} };
const submit = (name: string, id: number, text: string): FlowNode => ({ type: 'input', group: 'lookup_secret', attributes: { name, type: 'submit', value: 'true' }, messages: [], meta: { label: { id, text } } });
const settings = (nodes: FlowNode[]) => renderUi({ action, method: 'POST', nodes: [csrf, ...nodes] }, { hubOrigin: hub, groupHeadings: true }).value;

// What Kratos v1.3.1 sends for each state of its lookup_secret settings method.
const CODES: FlowNode = {
  type: 'text',
  group: 'lookup_secret',
  attributes: {
    id: 'lookup_secret_codes',
    text: { id: 1050015, text: 'abcd1234, efgh5678', context: { secrets: [{ id: 1050009, text: 'abcd1234', context: { secret: 'abcd1234' } }, { id: 1050009, text: 'efgh5678', context: { secret: 'efgh5678' } }] } },
  },
  messages: [],
  meta: { label: { id: 1050010, text: 'These are your back up recovery codes. Please keep them in a safe place!' } },
};

describe('backup codes on the settings page', () => {
  it('before any exist: says what they are for and offers to create them', () => {
    const out = settings([submit('lookup_secret_regenerate', 1050008, 'Generate new backup recovery codes')]);
    expect(out).toContain('data-testid="backup-codes/intro"');
    expect(out).toContain('Backup codes let you finish signing in when you cannot use your authenticator app');
    expect(out).not.toContain('your current codes then stop working');
    expect(out).toContain('data-testid="node/lookup_secret/lookup_secret_regenerate"');
  });

  it('shows new codes once, as a list, with the warning and a primary "I have saved these codes"', () => {
    const out = settings([CODES, submit('lookup_secret_confirm', 1050011, 'Confirm backup recovery codes')]);
    expect(out).toMatch(/<ul class="secrets" aria-label="Your backup codes"><li><code>abcd1234<\/code><\/li><li><code>efgh5678<\/code><\/li><\/ul>/);
    expect(out).toContain('they are shown only this once');
    expect(out).not.toContain('data-testid="backup-codes/intro"');
    const confirm = /<button[^>]*name="lookup_secret_confirm"[^>]*>([^<]*)</.exec(out);
    expect(confirm?.[0]).toContain('class="primary"');
    expect(confirm?.[1]).toBe('I have saved these codes');
  });

  it('once saved: never reveals them again, offers new ones (which replace them) and turning them off', () => {
    const out = settings([submit('lookup_secret_reveal', 1050007, 'Reveal backup recovery codes'), submit('lookup_secret_disable', 1050016, 'Disable this method')]);
    expect(out).not.toContain('lookup_secret_reveal');
    expect(out).toMatch(/<button type="submit" name="lookup_secret_regenerate" value="true"[^>]*>Create new backup codes<\/button>/);
    expect(out).toContain('your current codes then stop working');
    expect(out).toContain('data-testid="node/lookup_secret/lookup_secret_disable"');
  });

  it('a revealed list (asked for outside the page) keeps one regenerate button', () => {
    const out = settings([CODES, submit('lookup_secret_disable', 1050016, 'Disable'), submit('lookup_secret_regenerate', 1050008, 'Generate')]);
    expect(out.match(/name="lookup_secret_regenerate"/g)).toHaveLength(1);
  });
});

describe('a backup code at the second-factor step', () => {
  it('is typed as written: no capital letter, spelling fix or numeric keyboard', () => {
    const out = renderUi(
      {
        action: `${hub}/self-service/login?flow=f2`,
        method: 'POST',
        nodes: [
          csrf,
          { type: 'input', group: 'lookup_secret', attributes: { name: 'lookup_secret', type: 'text', required: true }, messages: [], meta: { label: { id: 1010007, text: 'Backup recovery code' } } },
          { type: 'input', group: 'lookup_secret', attributes: { name: 'method', type: 'submit', value: 'lookup_secret' }, messages: [], meta: { label: { id: 1010009, text: 'Use backup recovery code' } } },
        ],
      },
      { hubOrigin: hub },
    ).value;
    const field = /<input type="text"[^>]*name="lookup_secret"[^>]*>/.exec(out)?.[0] ?? '';
    expect(field).toContain('autocapitalize="none"');
    expect(field).toContain('spellcheck="false"');
    expect(field).toContain('autocomplete="off"');
    expect(field).not.toContain('inputmode="numeric"');
  });
});
