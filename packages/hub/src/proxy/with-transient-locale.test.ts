import { describe, expect, it } from 'vitest';
import { withTransientLocale } from './with-transient-locale.ts';

const FORM = 'application/x-www-form-urlencoded';
const run = (body: string, type: string, locale = 'de') => withTransientLocale(Buffer.from(body, 'utf8'), type, locale)?.toString('utf8');
const LOCALE_DE = 'transient_payload=%7B%22locale%22%3A%22de%22%7D';

describe('withTransientLocale', () => {
  it('appends the locale to a form, keeping every byte the client sent', () => {
    expect(run('csrf_token=t&method=code&traits.email=a%40x.test&name=A+B', FORM)).toBe(`csrf_token=t&method=code&traits.email=a%40x.test&name=A+B&${LOCALE_DE}`);
    expect(run('method=code&', `${FORM}; charset=UTF-8`)).toBe(`method=code&${LOCALE_DE}`);
  });

  it("adds the locale to the form's own payload object, and keeps a payload that names one or is no object", () => {
    const own = encodeURIComponent(JSON.stringify({ app: 'shop' }));
    const out = run(`method=code&transient_payload=${own}&x=1`, FORM);
    expect(out?.startsWith('method=code&transient_payload=')).toBe(true);
    expect(out?.endsWith('&x=1')).toBe(true);
    expect(JSON.parse(new URLSearchParams(out).get('transient_payload') ?? '')).toEqual({ app: 'shop', locale: 'de' });
    // Kratos reads the first of repeated fields: that is the one completed.
    const twice = new URLSearchParams(run(`transient_payload=${own}&transient_payload=%7B%7D`, FORM));
    expect(twice.getAll('transient_payload').map((v) => JSON.parse(v))).toEqual([{ app: 'shop', locale: 'de' }, {}]);
    // An empty value is no payload to Kratos.
    expect(run('method=code&transient_payload=', FORM)).toBe(`method=code&${LOCALE_DE}`);
    for (const kept of [encodeURIComponent('{"locale":"es"}'), encodeURIComponent('[1]'), 'not%20json', '%7B%22a%22']) {
      expect(run(`method=code&transient_payload=${kept}`, FORM), kept).toBeUndefined();
    }
  });

  it('splices the locale into a JSON object, keeping its members as sent', () => {
    expect(run('{"method":"code","n":12345678901234567890}', 'application/json')).toBe('{"transient_payload":{"locale":"de"},"method":"code","n":12345678901234567890}');
    expect(run(' { } ', 'application/json; charset=utf-8')).toBe(' {"transient_payload":{"locale":"de"} } ');
    expect(JSON.parse(run('{"method":"code","transient_payload":{"app":"shop"}}', 'application/json') ?? '')).toEqual({
      method: 'code',
      transient_payload: { app: 'shop', locale: 'de' },
    });
    for (const kept of ['{"transient_payload":{"locale":"fr"}}', '{"transient_payload":"x"}', '[]', '"s"', '{broken']) {
      expect(run(kept, 'application/json'), kept).toBeUndefined();
    }
  });

  it('leaves other bodies alone', () => {
    expect(run('method=code', 'multipart/form-data; boundary=x')).toBeUndefined();
    expect(run('method=code', '')).toBeUndefined();
  });
});
