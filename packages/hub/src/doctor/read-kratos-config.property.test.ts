import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, type ToStringOptions, stringify } from 'yaml';
import { type ConfigTree, mergeKratosConfig, parseKratosConfig, readKratosConfig, resolveKratosSetting, UnreadableConfigFile, valueAt } from './read-kratos-config.ts';

// The doctor reads Kratos' config files to compare them with the hub's configuration. These
// properties hold its reader to the `yaml` package on Kratos-like files written in every style
// `yaml` writes (block and flow, plain and quoted, folded and literal block scalars), its merge of
// several files to Kratos' own (koanf), and its failures to its own error, which never quotes the
// file.

// Keys: Kratos' own, and keys a YAML writer must quote (`:`, `#`, quotes, indicators, look-alikes
// of numbers, booleans and null, the empty key), and the names of Object.prototype members.
const KEYS = ['dsn', 'serve', 'public', 'admin', 'base_url', 'session', 'cookie', 'name', 'lifespan', 'selfservice', 'methods', 'password', 'enabled', 'courier', 'smtp', 'connection_uri', 'secrets', 'cipher', 'hooks', 'config', 'log', 'level'];
const ODD_KEYS = ['a b', 'with: colon', '#hash', 'x #y', 'quote"d', "it's", '- dash', '? q', '[x]', '{y}', '&a', '*b', '!t', '%p', '@at', '`t', '|p', '>g', '123', '1.5', 'true', 'null', '~', 'yes', '', ' lead', 'trail ', 'ключ', 'constructor', 'toString', '__proto__'];
const key = fc.oneof({ arbitrary: fc.constantFrom(...KEYS), weight: 4 }, { arbitrary: fc.constantFrom(...ODD_KEYS), weight: 1 });

// Values: DSNs and URLs with the characters YAML gives a meaning to, multi-line text (templates,
// keys in PEM), and scalars that look like other types.
const dsnPart = fc.string({ unit: fc.constantFrom('a', 'Z', '0', '#', ':', '@', '/', '?', '&', '=', '%', '"', "'", '\\', ' ', '-', '!', '*', '{', '}', '[', ']', ',', '|', '>'), maxLength: 12 });
const text = fc.oneof(
  fc.tuple(fc.constantFrom('postgres', 'mysql', 'cockroach', 'sqlite', 'memory'), dsnPart, dsnPart, dsnPart).map(([s, u, p, h]) => `${s}://${u}:${p}@${h}/kratos?sslmode=disable`),
  fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\n', '\t', '#', ':', '-', '"', "'", '|', '>', 'é', '😀'), maxLength: 30 }),
  fc.constantFrom('', ' ', '\n', 'a\n', 'a\n\n', ' a', 'a ', '-----BEGIN KEY-----\nabc\n-----END KEY-----\n', '123', '0x1F', '1e3', '.inf', 'true', 'yes', 'null', '~', '- a', '? a', '@x', '`x', '%x', '*x', '&x', '!x', '<<'),
);
const scalar = fc.oneof(
  { arbitrary: text, weight: 5 },
  { arbitrary: fc.integer(), weight: 1 },
  { arbitrary: fc.double(), weight: 1 },
  { arbitrary: fc.boolean(), weight: 1 },
  { arbitrary: fc.constant(null), weight: 1 },
);
const { tree } = fc.letrec<{ tree: ConfigTree; node: unknown }>((tie) => ({
  tree: fc.dictionary(key, tie('node'), { maxKeys: 5, noNullPrototype: true }) as fc.Arbitrary<ConfigTree>,
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { arbitrary: scalar, weight: 4 },
    { arbitrary: tie('tree'), weight: 2 },
    { arbitrary: fc.array(tie('node'), { maxLength: 3 }), weight: 1 },
  ),
}));

// Every style `yaml` writes in.
const style: fc.Arbitrary<ToStringOptions & { version?: '1.1' | '1.2'; directives?: boolean }> = fc.record(
  {
    defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_FOLDED', 'BLOCK_LITERAL'),
    defaultKeyType: fc.constantFrom(null, 'PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE'),
    collectionStyle: fc.constantFrom('any', 'block', 'flow'),
    blockQuote: fc.constantFrom<boolean | 'folded' | 'literal'>(true, false, 'folded', 'literal'),
    indent: fc.constantFrom(2, 4),
    indentSeq: fc.boolean(),
    lineWidth: fc.constantFrom(0, 20, 80),
    minContentWidth: fc.constantFrom(0, 20),
    flowCollectionPadding: fc.boolean(),
    doubleQuotedAsJSON: fc.boolean(),
    singleQuote: fc.constantFrom(null, true, false),
    version: fc.constantFrom('1.1', '1.2'),
    directives: fc.boolean(),
  },
  { requiredKeys: [] },
);
/** Writes the tree as YAML in one style; the 1.1 directive, when written, makes readers use 1.1. */
const yamlText = (t: ConfigTree, s: ToStringOptions & { version?: '1.1' | '1.2'; directives?: boolean }) =>
  stringify(t, { ...s, ...(s.version === '1.1' ? { directives: true } : {}) });

describe('parseKratosConfig reads what the yaml package reads (property)', () => {
  it('YAML in every style yaml writes', () => {
    fc.assert(
      fc.property(tree, style, (t, s) => {
        const written = yamlText(t, s);
        let expected: unknown;
        try {
          expected = parse(written);
        } catch {
          // yaml 2.9.1 writes some documents it cannot read back itself (collectionStyle block,
          // indentSeq false, an empty collection in a mapping in a mapping): the reader must
          // refuse them too, with its own error. (It also reads some back otherwise than it
          // wrote them, a block scalar of white space alone: the reader reads them as yaml does.)
          expect(() => parseKratosConfig(written, 'kratos.yml'), written).toThrow(UnreadableConfigFile);
          return;
        }
        expect(parseKratosConfig(written, 'kratos.yml'), written).toEqual(expected);
      }),
      { numRuns: 1500 },
    );
  });

  it('JSON, in a .json file and in a .yaml one', () => {
    fc.assert(
      fc.property(tree.filter((t) => JSON.stringify(t) !== undefined), fc.constantFrom(0, 2, '\t'), (t, indent) => {
        const written = JSON.stringify(t, null, indent);
        expect(parseKratosConfig(written, 'site.json')).toEqual(JSON.parse(written));
        expect(parseKratosConfig(written, 'site.yaml')).toEqual(parse(written));
      }),
      { numRuns: 500 },
    );
  });

  it("reads a broken file as yaml does, or refuses it with the doctor's own error, one line that never quotes the password", () => {
    // A written file with YAML's indicators dropped in, and a DSN whose password must not show.
    const noise = fc.constantFrom('"', "'", ':', ': ', '#', ' #', '- ', '[', ']', '{', '}', '&a ', '*a', '!', '!!str ', '|', '>', '\t', '\n', '\n  ', '%', '@', '`', '? ', '---\n', '...\n', '<<: *a\n', ',', '\\');
    const broken = fc.record({
      t: tree,
      s: style,
      password: fc.string({ unit: fc.constantFrom('S', 'e', 'c', 'r', '3', 't', '!', '#', ':', '@'), minLength: 8, maxLength: 16 }).map((p) => `Pw${p}`),
      edits: fc.array(fc.tuple(fc.nat(), noise), { minLength: 1, maxLength: 3 }),
    });
    fc.assert(
      fc.property(broken, ({ t, s, password, edits }) => {
        let written = yamlText({ ...t, dsn: `postgres://kratos:${password}@db/kratos` }, s);
        for (const [at, piece] of edits) {
          const i = at % (written.length + 1);
          written = written.slice(0, i) + piece + written.slice(i);
        }
        let expected: unknown;
        let yamlFailed = false;
        try {
          // Merge keys as the reader and Kratos' yaml.v3 read them.
          expected = parse(written, { merge: true, logLevel: 'error' });
        } catch {
          yamlFailed = true;
        }
        try {
          const read = parseKratosConfig(written, 'kratos.yml');
          expect(yamlFailed, written).toBe(false);
          expect(read, written).toEqual(expected ?? {});
        } catch (err) {
          expect(err, `${written}\n${String(err)}`).toBeInstanceOf(UnreadableConfigFile);
          const { message } = err as Error;
          expect(message).not.toContain('\n');
          expect(message, written).not.toContain(password);
        }
      }),
      { numRuns: 1500 },
    );
  });
});

describe('the cases these properties found', () => {
  const reason = (text: string) => {
    try {
      parseKratosConfig(text, 'kratos.yml');
    } catch (err) {
      expect(err).toBeInstanceOf(UnreadableConfigFile);
      return (err as Error).message;
    }
    throw new Error(`read ${JSON.stringify(text)}`);
  };

  it("never quotes the password a tag, an alias or a block scalar header is made of (yaml's reasons quote them)", () => {
    // Were "...: Could not resolve tag: !a!PwSecret...", "Unresolved alias (...): postgres://kratos:PwSecret@db/kratos", "...: |PwSecret".
    expect(reason('dsn: !a!PwSecret x\n')).toBe('not valid YAML: Could not resolve a tag at line 1, column 6');
    expect(reason('dsn: *postgres://kratos:PwSecret@db/kratos\n')).toBe('not valid YAML: Unresolved alias (the anchor must be set before the alias)');
    expect(reason('dsn: |PwSecret\n  x\n')).toBe('not valid YAML: Block scalar header includes extra characters at line 1, column 7');
  });

  it('refuses an alias inside its own anchor, as Kratos does, instead of looping over it', async () => {
    // Was read as an object that contains itself; merging two such files threw a RangeError.
    const text = 'serve: &x\n  public: *x\n';
    expect(reason(text)).toMatch(/^not valid YAML: an alias stands inside the node its anchor names/);
    const dir = await mkdtemp(join(tmpdir(), 'ssohub-kratos-config-cycle-'));
    const paths = [join(dir, 'a.yml'), join(dir, 'b.yml')];
    await Promise.all(paths.map((p) => writeFile(p, text)));
    const config = await readKratosConfig(paths);
    expect(config.merged).toEqual({});
    expect(config.files.map((f) => f.error)).toEqual([expect.stringMatching(/^not valid YAML/), expect.stringMatching(/^not valid YAML/)]);
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps a key named __proto__ when merging, as koanf does', () => {
    // Was dropped: assigning out.__proto__ sets the prototype instead.
    const merged = mergeKratosConfig({}, parseKratosConfig('__proto__:\n  dsn: x\n', 'k.yml'));
    expect(Object.keys(merged)).toEqual(['__proto__']);
    expect(valueAt(merged, ['__proto__', 'dsn'])).toBe('x');
  });
});

/**
 * Kratos' merge of its config files, written from its source: ory/x configx (provider.go) loads
 * each file of --config, in order, into one koanf instance; koanf (v2 koanf.go, merge) merges each
 * over what is loaded with maps.Merge (knadh/koanf/maps@v0.1.1 maps.go): for each key of the later
 * map, absent before -> taken; later value not a map -> replaces; both maps -> merged the same
 * way; later map over a non-map -> replaces.
 */
function koanfMerge(loaded: Record<string, unknown>, later: Record<string, unknown>): void {
  for (const [k, val] of Object.entries(later)) {
    if (!Object.hasOwn(loaded, k)) {
      Object.defineProperty(loaded, k, { value: structuredClone(val), enumerable: true, writable: true, configurable: true });
      continue;
    }
    const before = loaded[k];
    const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
    if (isMap(val) && isMap(before)) koanfMerge(before, val);
    else Object.defineProperty(loaded, k, { value: structuredClone(val), enumerable: true, writable: true, configurable: true });
  }
}

describe('readKratosConfig merges files as Kratos does (property)', () => {
  let dir: string;
  let n = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ssohub-kratos-config-property-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('later files win, mappings merge key by key, sequences and scalars are replaced, unreadable files are left out', async () => {
    // Files as written, and what Kratos' parser would make of each (yaml's reading, or none).
    const readable = (text: string, ext: string): ConfigTree | undefined => {
      // As the file reads back: yaml 2.9.1 may fold a double-quoted line between the two halves
      // of a surrogate pair, and UTF-8 has no lone surrogate (writeFile puts U+FFFD there).
      const stored = Buffer.from(text, 'utf8').toString('utf8');
      try {
        const value = ext === 'json' ? JSON.parse(stored) : parse(stored, { merge: true, logLevel: 'error' });
        return value === null ? {} : typeof value === 'object' && !Array.isArray(value) ? value : undefined;
      } catch {
        return undefined;
      }
    };
    type File = { text: string | undefined; ext: string; tree: ConfigTree | undefined };
    const written = (text: string, ext: string): File => ({ text, ext, tree: readable(text, ext) });
    const refused = (text: string | undefined, ext: string): File => ({ text, ext, tree: undefined });
    const file = fc.oneof(
      { arbitrary: fc.record({ t: tree, s: style }).map(({ t, s }) => written(yamlText(t, s), 'yml')), weight: 5 },
      { arbitrary: tree.map((t) => written(JSON.stringify(t), 'json')), weight: 1 },
      // Files Kratos refuses: broken YAML, a duplicate key, a sequence, an alias inside its own
      // anchor (yaml.v3: "anchor 'x' value contains itself"), broken JSON; and a missing file.
      { arbitrary: fc.constantFrom('serve: [\n', 'dsn: a\ndsn: b\n', '- a\n', 'dsn: "a\n', 'serve: &x\n  public: *x\n').map((text) => refused(text, 'yml')), weight: 1 },
      { arbitrary: fc.constant(refused('{"dsn": }', 'json')), weight: 1 },
      { arbitrary: fc.constant(refused(undefined, 'yml')), weight: 1 },
    );
    // Keys the files share, so that they override each other.
    const shared = fc.array(fc.constantFrom(...KEYS.slice(0, 6)), { minLength: 1, maxLength: 3 });
    await fc.assert(
      fc.asyncProperty(fc.array(file, { minLength: 1, maxLength: 4 }), shared, async (files, path) => {
        const paths = await Promise.all(
          files.map(async (f) => {
            const p = join(dir, `f${++n}.${f.ext}`);
            if (f.text !== undefined) await writeFile(p, f.text);
            return p;
          }),
        );
        const config = await readKratosConfig(paths);
        const expected: Record<string, unknown> = {};
        for (const f of files) if (f.tree) koanfMerge(expected, f.tree);
        expect(config.merged).toEqual(expected);
        files.forEach((f, i) => {
          expect(config.files[i]!.error === undefined, String(config.files[i]!.error)).toBe(f.tree !== undefined);
          if (f.tree === undefined) expect(config.files[i]!.error).not.toContain('\n');
        });
        // The file a setting comes from: the last readable one that sets it.
        const setting = resolveKratosSetting(config, path, { name: 'X', value: undefined });
        const lastUnreadable = files.findLastIndex((f) => f.tree === undefined);
        const setter = files.findLastIndex((f) => f.tree !== undefined && valueAt(f.tree, path) != null);
        if (lastUnreadable > setter) expect(setting).toEqual({ kind: 'unknown', path: paths[lastUnreadable], error: config.files[lastUnreadable]!.error });
        else if (setter === -1 || valueAt(expected, path) == null) expect(setting).toEqual({ kind: 'unset' });
        else expect(setting).toEqual({ kind: 'set', value: valueAt(expected, path), source: `file ${paths[setter]}` });
      }),
      { numRuns: 150 },
    );
  });
});
