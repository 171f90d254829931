import { describe, expect, it } from 'vitest';
import type { AnyFlow } from '../kratos/kratos-client.ts';
import { cancelOfInteraction, prefillEmail } from './register-flow-pages.ts';

const hub = 'https://login.sso.test';

describe('cancelOfInteraction (issue #21, decision 0016)', () => {
  it("gives the cancel URL of the hub's own interaction page", () => {
    expect(cancelOfInteraction(`${hub}/interaction/Abc_1-2`, hub)).toBe(`${hub}/interaction/Abc_1-2/cancel`);
  });

  it('gives nothing for any other return_to', () => {
    for (const returnTo of [undefined, 'https://app-a.test/interaction/abc', `${hub}/settings`, `${hub}/interaction/abc/cancel`, `${hub}/interaction/a%2Fb`, 'not a url']) {
      expect(cancelOfInteraction(returnTo, hub)).toBeUndefined();
    }
  });
});

describe('prefillEmail (issue #21, decision 0016)', () => {
  const flow = (value?: string) =>
    ({ ui: { nodes: [{ attributes: { name: 'csrf_token', type: 'hidden', value: 't' } }, { attributes: { name: 'email', type: 'email', ...(value === undefined ? {} : { value }) } }] } }) as unknown as AnyFlow;
  const fieldValue = (f: AnyFlow) => (f as unknown as { ui: { nodes: { attributes: { value?: unknown } }[] } }).ui.nodes[1]!.attributes.value;

  it('fills an empty address field with the address the sign-in waits for', () => {
    const f = flow();
    prefillEmail(f, 'ada@example.test');
    expect(fieldValue(f)).toBe('ada@example.test');
  });

  it('keeps what the flow already holds, and does nothing without an address', () => {
    const typed = flow('other@example.test');
    prefillEmail(typed, 'ada@example.test');
    expect(fieldValue(typed)).toBe('other@example.test');
    const none = flow();
    prefillEmail(none, undefined);
    expect(fieldValue(none)).toBeUndefined();
  });
});
