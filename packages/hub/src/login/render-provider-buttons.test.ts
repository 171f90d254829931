import { describe, expect, it } from 'vitest';
import { type FlowNode, renderUi } from './render-nodes.ts';

const input = (group: string, attributes: Record<string, unknown>, label?: { id: number; text: string; context?: Record<string, unknown> }): FlowNode => ({
  type: 'input',
  group,
  attributes: { node_type: 'input', disabled: false, ...attributes },
  messages: [],
  meta: label ? { label } : {},
});
const hub = 'https://login.sso.test';

describe('upstream provider buttons', () => {
  it("renders login's provider buttons with the provider's name and mark, never blocked by the password field", () => {
    const out = renderUi(
      {
        action: `${hub}/self-service/login?flow=f1`,
        method: 'POST',
        nodes: [
          input('default', { name: 'csrf_token', type: 'hidden', value: 't' }),
          input('default', { name: 'identifier', type: 'text', required: true }, { id: 1070004, text: 'ID' }),
          input('password', { name: 'password', type: 'password', required: true }, { id: 1070001, text: 'Password' }),
          input('password', { name: 'method', type: 'submit', value: 'password' }, { id: 1010001, text: 'Sign in' }),
          input('oidc', { name: 'provider', type: 'submit', value: 'corp' }, { id: 1010002, text: 'Sign in with Corp Directory', context: { provider: 'Corp Directory' } }),
        ],
      },
      { hubOrigin: hub },
    ).value;
    const button = /<button[^>]*data-testid="upstream\/provider\/corp"[^>]*>.*?<\/button>/.exec(out)?.[0] ?? '';
    expect(button).toContain('name="provider" value="corp"');
    expect(button).toContain('formnovalidate');
    expect(button).toContain('<span class="provider-mark" aria-hidden="true">C</span><span>Sign in with Corp Directory</span>');
    expect(out).toContain('or continue with');
    expect(out.indexOf('node/password/method')).toBeLessThan(out.indexOf('upstream/provider/corp'));
  });

  it('shows linked providers first with their disconnect button on settings, under a heading', () => {
    const out = renderUi(
      {
        action: `${hub}/self-service/settings?flow=f2`,
        method: 'POST',
        nodes: [
          input('default', { name: 'csrf_token', type: 'hidden', value: 't' }),
          input('oidc', { name: 'link', type: 'submit', value: 'gitlab' }, { id: 1050002, text: 'Link GitLab', context: { provider: 'GitLab' } }),
          input('oidc', { name: 'unlink', type: 'submit', value: 'corp' }, { id: 1050003, text: 'Unlink Corp', context: { provider: 'Corp' } }),
        ],
      },
      { hubOrigin: hub, groupHeadings: true },
    ).value;
    expect(out).toContain('<legend class="group-title">Linked accounts</legend>');
    expect(out).toContain('data-testid="upstream/linked">1 account connected.');
    expect(out.indexOf('upstream/unlink/corp')).toBeLessThan(out.indexOf('upstream/link/gitlab'));
    expect(out).toContain('Disconnect Corp');
    expect(out).toContain('Connect GitLab');
    expect(out).not.toContain('or continue with');
  });
});
