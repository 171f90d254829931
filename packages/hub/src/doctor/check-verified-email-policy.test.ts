import { describe, expect, it } from 'vitest';
import { checkVerifiedEmailPolicy } from './check-verified-email-policy.ts';
import type { KratosConfig } from './read-kratos-config.ts';

const kratos = (verification: Record<string, unknown> | undefined): KratosConfig => {
  const tree = verification === undefined ? {} : { selfservice: { flows: { verification } } };
  return { files: [{ path: '/etc/kratos/kratos.yml', tree }], merged: tree };
};

describe('the doctor check of the verified-address policy', () => {
  it('case=policy on, Kratos verifies by code: ok, saying what apps receive', () => {
    expect(checkVerifiedEmailPolicy({ required: true, config: kratos({ enabled: true, use: 'code' }) })).toMatchObject({ id: 'bridge.verified_email', verdict: 'ok', detail: expect.stringMatching(/^on: .*email_verified true/) });
  });

  it("case=policy on, Kratos' verification flow turned off: fails, naming both ways out", () => {
    expect(checkVerifiedEmailPolicy({ required: true, config: kratos({ enabled: false }) })).toMatchObject({
      verdict: 'fail',
      fix: expect.stringMatching(/verification\.enabled: true.*requireVerifiedEmail: false/),
    });
  });

  it("case=policy on, the setting not in the files the hub reads (production gives it only the site file): warns, naming the base file", () => {
    expect(checkVerifiedEmailPolicy({ required: true, config: kratos(undefined) })).toMatchObject({
      verdict: 'warn',
      detail: expect.stringContaining('deploy/kratos/kratos.yml'),
      fix: expect.stringContaining('kratos.configFiles'),
    });
  });

  it('case=policy on, Kratos verifies by link: warns', () => {
    expect(checkVerifiedEmailPolicy({ required: true, config: kratos({ enabled: true, use: 'link' }) })).toMatchObject({ verdict: 'warn', fix: expect.stringContaining('use: code') });
  });

  it('case=policy on, an unreadable Kratos file: warns; no files at all: ok, saying it was not checked', () => {
    const unreadable: KratosConfig = { files: [{ path: '/etc/kratos/site.yml', error: 'EACCES' }], merged: {} };
    expect(checkVerifiedEmailPolicy({ required: true, config: unreadable })).toMatchObject({ verdict: 'warn', detail: expect.stringContaining('EACCES') });
    expect(checkVerifiedEmailPolicy({ required: true, config: { files: [], merged: {} } })).toMatchObject({ verdict: 'ok', detail: expect.stringContaining('not checked') });
  });

  it('case=policy off: reported, whatever Kratos says', () => {
    expect(checkVerifiedEmailPolicy({ required: false, config: kratos({ enabled: false }) })).toMatchObject({ verdict: 'ok', detail: expect.stringMatching(/^off .*email_verified false/) });
  });
});
