import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeKratosConfig, parseKratosConfig, readKratosConfig, resolveKratosSetting, UnreadableConfigFile, valueAt } from './read-kratos-config.ts';

async function files(...entries: [name: string, text: string][]): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'ssohub-kratos-config-'));
  return Promise.all(
    entries.map(async ([name, text]) => {
      const path = join(dir, name);
      await writeFile(path, text);
      return path;
    }),
  );
}

const cookieName = (text: string) => valueAt(parseKratosConfig(text, 'kratos.yml'), ['session', 'cookie', 'name']);

describe('parsing one Kratos config file', () => {
  it('reads every YAML form: block and flow mappings, quoted and block scalars, anchors, aliases and merge keys', () => {
    const yaml = ['dsn: memory # for now', 'session:', '  lifespan: 24h', '  cookie:', '    # the login domain only', "    name: 'acme_session'", 'serve: { public: { base_url: "http://x/" } }'].join('\n');
    expect(cookieName(yaml)).toBe('acme_session');
    expect(valueAt(parseKratosConfig(yaml, 'k.yml'), ['serve', 'public', 'base_url'])).toBe('http://x/');
    expect(valueAt(parseKratosConfig(yaml, 'k.yml'), ['dsn'])).toBe('memory');
    expect(valueAt(parseKratosConfig('dsn: >-\n  postgres://h/db\n', 'k.yaml'), ['dsn'])).toBe('postgres://h/db');
    expect(cookieName('names:\n  shared: &name acme\nsession:\n  cookie:\n    name: *name\n')).toBe('acme');
    expect(cookieName('base: &cookie\n  name: merged\nsession:\n  cookie:\n    <<: *cookie\n    persistent: true\n')).toBe('merged');
  });

  it('reads a .json file as JSON, and JSON written into a .yml file as YAML (what the test kit writes)', () => {
    expect(cookieName('{"session":{"cookie":{"name":"json_session"}}}')).toBe('json_session');
    expect(valueAt(parseKratosConfig('{"dsn":"memory"}', 'site.json'), ['dsn'])).toBe('memory');
  });

  it('does not take a key of the same name at another depth, nor a mapping for a scalar', () => {
    expect(cookieName('session:\n  name: wrong\ncookie:\n  name: wrong-too\n')).toBeUndefined();
    expect(cookieName('courier:\n  session:\n    cookie:\n      name: nested-elsewhere\n')).toBeUndefined();
    expect(cookieName('courier:\n  template: |\n    session:\n      cookie:\n        name: in-a-block-scalar\n')).toBeUndefined();
    expect(cookieName('session:\n  cookie:\n    name:\n      nested: mapping\n')).toEqual({ nested: 'mapping' });
  });

  it('reads an empty file as no settings', () => {
    expect(parseKratosConfig('', 'k.yml')).toEqual({});
    expect(parseKratosConfig('# only a comment\n', 'k.yml')).toEqual({});
  });

  it('says why, in one line and without quoting the file, when a file does not parse', () => {
    const cases: [text: string, path: string, reason: RegExp][] = [
      ['dsn: "postgres://kratos:Secr3t-DB-pass@db/kratos\n', 'k.yml', /^not valid YAML: .*line 2, column 1$/],
      ['serve:\n  public: [1, 2\n', 'k.yml', /^not valid YAML: .*at line \d+, column \d+$/],
      ['dsn: a\ndsn: b\n', 'k.yml', /^not valid YAML: Map keys must be unique at line 2, column 1$/],
      ['dsn: a\n---\ndsn: b\n', 'k.yml', /^not valid YAML: Source contains multiple documents/],
      ['session: *undefined_anchor\n', 'k.yml', /^not valid YAML: Unresolved alias \(the anchor must be set before the alias\)$/],
      ['- dsn: memory\n', 'k.yml', /^the top level is a sequence, not a mapping of settings$/],
      ['{"dsn": "postgres://kratos:Secr3t-DB-pass@db/kratos",}', 'k.json', /^not valid JSON( at line 1, column \d+)?$/],
      ['dsn = "memory"\n', 'k.toml', /Kratos reads as TOML/],
      ['dsn: memory\n', 'kratos.conf', /Kratos refuses a config file ending in "\.conf"/],
    ];
    for (const [text, path, reason] of cases) {
      let error: unknown;
      try {
        parseKratosConfig(text, path);
      } catch (err) {
        error = err;
      }
      expect(error, text).toBeInstanceOf(UnreadableConfigFile);
      expect((error as Error).message, text).toMatch(reason);
      expect((error as Error).message).not.toMatch(/\n|Secr3t/);
    }
  });
});

describe('merging Kratos config files in order', () => {
  it('merges mappings key by key; a later scalar, sequence or null replaces the earlier value whole', () => {
    const base = { serve: { public: { host: '127.0.0.1', base_url: 'https://a/' }, admin: { host: '127.0.0.1' } }, methods: ['password', 'code'], dsn: 'memory' };
    const site = { serve: { public: { base_url: 'https://b/' } }, methods: ['code'], dsn: null, extra: { x: 1 } };
    expect(mergeKratosConfig(base, site)).toEqual({
      serve: { public: { host: '127.0.0.1', base_url: 'https://b/' }, admin: { host: '127.0.0.1' } },
      methods: ['code'],
      dsn: null,
      extra: { x: 1 },
    });
    expect(mergeKratosConfig({ session: { cookie: { name: 'a' } } }, { session: 'flat' })).toEqual({ session: 'flat' });
    expect(mergeKratosConfig({ session: 'flat' }, { session: { cookie: { name: 'b' } } })).toEqual({ session: { cookie: { name: 'b' } } });
    // Neither input is changed.
    expect(base.serve.public.base_url).toBe('https://a/');
  });

  it('reads the files, merges them, and names the file a setting comes from, or the variable that beats them', async () => {
    const paths = await files(['kratos.yml', 'serve:\n  public:\n    host: 127.0.0.1\n    base_url: https://first/\n'], ['site.json', '{"serve":{"public":{"port":4433}}}'], ['late.yaml', 'serve:\n  public:\n    base_url: https://late/\n']);
    const config = await readKratosConfig(paths);
    expect(config.files.map((f) => f.error)).toEqual([undefined, undefined, undefined]);
    expect(valueAt(config.merged, ['serve', 'public'])).toEqual({ host: '127.0.0.1', port: 4433, base_url: 'https://late/' });
    const env = { name: 'SERVE_PUBLIC_BASE_URL', value: undefined };
    expect(resolveKratosSetting(config, ['serve', 'public', 'base_url'], env)).toEqual({ kind: 'set', value: 'https://late/', source: `file ${paths[2]}` });
    expect(resolveKratosSetting(config, ['serve', 'public', 'host'], env)).toEqual({ kind: 'set', value: '127.0.0.1', source: `file ${paths[0]}` });
    expect(resolveKratosSetting(config, ['serve', 'public', 'base_url'], { ...env, value: 'https://env/' })).toEqual({ kind: 'set', value: 'https://env/', source: 'environment variable SERVE_PUBLIC_BASE_URL' });
    // An empty variable is not set, as the CLI and the admin route treat it.
    expect(resolveKratosSetting(config, ['serve', 'public', 'base_url'], { ...env, value: '' })).toMatchObject({ value: 'https://late/' });
    expect(resolveKratosSetting(config, ['dsn'], env)).toEqual({ kind: 'unset' });
  });

  it('cannot tell a setting when a file it cannot read comes after every file that sets it', async () => {
    const [good, broken] = await files(['a.yml', 'serve:\n  public:\n    base_url: https://a/\n'], ['b.yml', 'serve: [\n']);
    const missing = join(tmpdir(), 'ssohub-no-such-dir', 'kratos.yml');
    const config = await readKratosConfig([good!, broken!, missing]);
    expect(config.files.map((f) => f.error)).toEqual([undefined, expect.stringMatching(/^not valid YAML/), 'ENOENT']);
    expect(valueAt(config.merged, ['serve', 'public', 'base_url'])).toBe('https://a/');
    const env = { name: 'SERVE_PUBLIC_BASE_URL', value: undefined };
    expect(resolveKratosSetting(config, ['serve', 'public', 'base_url'], env)).toEqual({ kind: 'unknown', path: missing, error: 'ENOENT' });
    // A later readable file that sets it decides, and the variable always does.
    const [later] = await files(['c.yml', 'serve:\n  public:\n    base_url: https://c/\n']);
    expect(resolveKratosSetting(await readKratosConfig([good!, missing, later!]), ['serve', 'public', 'base_url'], env)).toMatchObject({ kind: 'set', value: 'https://c/' });
    expect(resolveKratosSetting(config, ['serve', 'public', 'base_url'], { ...env, value: 'https://env/' })).toMatchObject({ kind: 'set', value: 'https://env/' });
  });
});
