import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPORATE_DIRECTORY_MAPPER } from './corporate-directory-mapper.ts';
import { kratosOidcMethod, parseUpstreamProviders, upstreamCallbackUrl } from './upstream-providers.ts';

const noFile = () => {
  throw Object.assign(new Error('nope'), { code: 'ENOENT' });
};
const corp = { id: 'corp', label: 'Corp', issuer: 'https://idp.corp.example/', clientId: 'hub', clientSecret: 's3cret-value' };

describe('parseUpstreamProviders', () => {
  it('reads a provider with the corporate-directory preset, userinfo claims and the standard scopes by default', () => {
    const { providers, problems } = parseUpstreamProviders({ upstreamProviders: [corp] }, noFile);
    expect(problems).toEqual([]);
    expect(providers).toEqual([
      { id: 'corp', label: 'Corp', issuer: 'https://idp.corp.example', clientId: 'hub', clientSecret: 's3cret-value', scopes: ['openid', 'email', 'profile'], mapper: 'corporate-directory', claimsSource: 'userinfo' },
    ]);
  });

  it('reads the client secret from clientSecretFile', () => {
    const { providers } = parseUpstreamProviders([{ ...corp, clientSecret: undefined, clientSecretFile: 'corp.secret' }], (f) => `from ${f}\n`);
    expect(providers[0]?.clientSecret).toBe('from corp.secret');
  });

  it('names each invalid option, and never quotes a secret', () => {
    const { providers, problems } = parseUpstreamProviders(
      {
        upstreamProviders: [
          { ...corp, id: 'Corp Dir', issuer: 'http://idp.corp.example', scopes: ['email'], mapper: 'ldap', extra: 1 },
          { ...corp, clientSecret: undefined, clientSecretFile: 'missing' },
          { ...corp, clientSecret: undefined },
          { ...corp },
          { ...corp },
        ],
      },
      noFile,
    );
    expect(providers).toEqual([]);
    expect(problems).toEqual([
      expect.stringMatching(/^upstreamProviders\[0\]\.extra is not an option/),
      expect.stringMatching(/^upstreamProviders\[0\]\.id must be lower-case/),
      expect.stringMatching(/^upstreamProviders\[0\]\.issuer must be the provider's https issuer URL/),
      'upstreamProviders[0].scopes must include openid',
      expect.stringMatching(/^upstreamProviders\[0\]\.mapper must be corporate-directory or a Jsonnet URL/),
      'upstreamProviders[1].clientSecretFile missing cannot be read: ENOENT',
      'upstreamProviders[2].id corp is used by another provider',
      'upstreamProviders[2].clientSecretFile (or upstreamProviders[2].clientSecret) is required',
      'upstreamProviders[3].id corp is used by another provider',
      'upstreamProviders[4].id corp is used by another provider',
    ]);
    expect(problems.join('\n')).not.toContain('s3cret');
  });

  it('refuses a document without a list', () => {
    expect(parseUpstreamProviders({ upstreamProviders: 'corp' }, noFile).problems).toEqual(['upstreamProviders must be a list of providers']);
  });
});

describe('kratosOidcMethod', () => {
  it("writes Kratos' generic provider with the hub as redirect base and the preset mapper inline", () => {
    const { providers } = parseUpstreamProviders([corp], noFile);
    const method = kratosOidcMethod(providers, 'https://login.example.com/') as { oidc: { enabled: boolean; config: { base_redirect_uri: string; providers: Record<string, unknown>[] } } };
    expect(method.oidc.enabled).toBe(true);
    expect(method.oidc.config.base_redirect_uri).toBe('https://login.example.com');
    const [p] = method.oidc.config.providers;
    expect(p).toMatchObject({ id: 'corp', provider: 'generic', label: 'Corp', issuer_url: 'https://idp.corp.example', client_id: 'hub', client_secret: 's3cret-value', scope: ['openid', 'email', 'profile'], claims_source: 'userinfo' });
    expect(Buffer.from(String(p!.mapper_url).replace('base64://', ''), 'base64').toString()).toBe(CORPORATE_DIRECTORY_MAPPER);
    expect(kratosOidcMethod([], 'https://login.example.com')).toEqual({});
    expect(upstreamCallbackUrl('https://login.example.com/', 'corp')).toBe('https://login.example.com/self-service/methods/oidc/callback/corp');
  });

  it('ships the same Jsonnet as deploy/kratos/oidc/corporate-directory.jsonnet', () => {
    const file = join(import.meta.dirname, '../../../../deploy/kratos/oidc/corporate-directory.jsonnet');
    expect(readFileSync(file, 'utf8')).toBe(CORPORATE_DIRECTORY_MAPPER);
  });
});
