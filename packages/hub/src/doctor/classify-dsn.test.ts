import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkKratosDatabase } from './check-kratos-database.ts';
import { classifyDsn } from './classify-dsn.ts';
import { configFileChecks, parseKratosConfig, readKratosConfig } from './read-kratos-config.ts';

const readDsn = (text: string) => parseKratosConfig(text, 'kratos.yml')['dsn'];

describe('Kratos DSN classification', () => {
  it.each([
    ['memory', 'memory', []],
    ['sqlite://file::memory:?_fk=true&cache=shared', 'memory', []],
    ['sqlite:///tmp/k.sqlite?_fk=true&mode=memory', 'memory', []],
    ['sqlite:///var/lib/kratos/db.sqlite?_fk=true', 'sqlite', []],
    ['postgres://kratos:secret@db:5432/kratos?sslmode=require', 'postgres', []],
    ['postgresql://kratos@db/kratos', 'postgres', []],
    ['mysql://kratos:secret@tcp(db:3306)/kratos?parseTime=true', 'mysql', []],
    ['cockroach://root@crdb:26257/kratos?sslmode=disable', 'cockroach', []],
  ])('case=%s is %s', (dsn, kind, problems) => {
    const c = classifyDsn(dsn);
    expect(c.kind).toBe(kind);
    expect(c.problems).toEqual(problems);
    expect(c.redacted).not.toContain('secret');
  });

  it.each([
    ['postgres://kratos:secret@db:5432/', /names no database/],
    ['postgres://kratos:secret@db:5432', /names no database/],
    ['mysql://kratos:secret@tcp(db:3306)/', /names no database/],
    ['sqlite://', /names no file/],
    ['sqlite://kratos.sqlite', /relative to Kratos' working directory/],
    ['mongodb://db/kratos', /must be memory, sqlite:\/\/, postgres:\/\//],
    ['kratos.sqlite', /no scheme/],
  ])('case=%s is malformed', (dsn, problem) => {
    const c = classifyDsn(dsn);
    expect(c.problems.join(' ')).toMatch(problem);
    expect(c.redacted).not.toContain('secret');
  });
});

describe('reading dsn from a Kratos config file', () => {
  it('reads JSON (what the test kit writes) and YAML scalars of every style', () => {
    expect(readDsn('{"dsn":"memory","serve":{}}')).toBe('memory');
    expect(readDsn('version: v1.3.1\ndsn: memory # for now\nserve:\n  public: {}\n')).toBe('memory');
    expect(readDsn('dsn: "postgres://a:b@h/db"\n')).toBe('postgres://a:b@h/db');
    expect(readDsn("dsn: 'sqlite:///x.db?_fk=true'\n")).toBe('sqlite:///x.db?_fk=true');
    expect(readDsn('dsn: >-\n  postgres://h/db\n')).toBe('postgres://h/db');
    expect(readDsn('serve:\n  dsn: nested-is-not-top-level\n')).toBeUndefined();
  });
});

describe('which database Kratos uses', () => {
  const checkDatabase = async (configFiles: string[], envDsn: string | undefined, mode: 'production' | 'development') =>
    checkKratosDatabase({ config: await readKratosConfig(configFiles), envDsn, mode });
  async function files(...contents: string[]): Promise<string[]> {
    const dir = await mkdtemp(join(tmpdir(), 'ssohub-doctor-'));
    return Promise.all(contents.map(async (c, i) => {
      const p = join(dir, `k${i}.yml`);
      await writeFile(p, c);
      return p;
    }));
  }

  it('lets the last file win, and the DSN variable beat every file, saying so', async () => {
    const paths = await files('dsn: memory\n', '{"dsn":"sqlite:///data/k.sqlite"}');
    const fromFiles = await checkDatabase(paths, undefined, 'development');
    expect(fromFiles.effective?.source).toBe(`file ${paths[1]}`);
    expect(fromFiles.checks).toEqual([expect.objectContaining({ id: 'kratos.database', verdict: 'ok' }), expect.objectContaining({ id: 'kratos.sqlite_lock' })]);
    const fromEnv = await checkDatabase(paths, 'postgres://k:Secr3t-DB-pass@db/kratos', 'production');
    expect(fromEnv.effective?.source).toBe('environment variable DSN');
    expect(fromEnv.env).toBe('postgres://k:***@db/kratos');
    expect(fromEnv.checks[0]?.detail).toMatch(/overrides file .*k1\.yml: sqlite:\/\/\/data\/k\.sqlite/);
    expect(JSON.stringify(fromEnv)).not.toContain('Secr3t-DB-pass');
  });

  it('warns about a PostgreSQL DSN without a connection pool, with the fix, and never echoes the password', async () => {
    const check = async (dsn: string) => (await checkDatabase([], dsn, 'production')).checks.find((c) => c.id === 'kratos.pool');
    const bare = await check('postgres://k:Secr3t-DB-pass@db/kratos?sslmode=require');
    expect(bare).toMatchObject({ verdict: 'warn', detail: expect.stringMatching(/no max_idle_conns/), fix: expect.stringMatching(/max_idle_conns=40/) });
    expect(await check('postgres://k:Secr3t-DB-pass@db/kratos?max_idle_conns=2')).toMatchObject({ verdict: 'warn', detail: expect.stringMatching(/max_idle_conns=2/) });
    expect(await check('postgres://k:Secr3t-DB-pass@db/kratos?max_conns=40&max_idle_conns=40')).toMatchObject({ verdict: 'ok', detail: 'max_idle_conns=40' });
    expect(JSON.stringify(bare)).not.toContain('Secr3t-DB-pass');
    // SQLite and memory have no pool to judge.
    expect(await check('sqlite:///data/k.sqlite')).toBeUndefined();
  });

  it("warns about a SQLite DSN that leaves the ORM's write mutex on, with the fix", async () => {
    const check = async (dsn: string) => (await checkDatabase([], dsn, 'development')).checks.find((c) => c.id === 'kratos.sqlite_lock');
    expect(await check('sqlite:///data/k.sqlite?_fk=true')).toMatchObject({ verdict: 'warn', detail: expect.stringMatching(/lock=false/), fix: expect.stringMatching(/lock=false/) });
    expect(await check('sqlite:///data/k.sqlite?_fk=true&lock=true')).toMatchObject({ verdict: 'warn' });
    expect(await check('sqlite:///data/k.sqlite?_fk=true&_journal_mode=WAL&lock=false')).toMatchObject({ verdict: 'ok' });
    expect(await check('postgres://k:Secr3t-DB-pass@db/kratos?max_idle_conns=40')).toBeUndefined();
    expect(await check('memory')).toBeUndefined();
  });

  it('fails memory in production, warns about SQLite in production and memory in development', async () => {
    const memory = await files('dsn: memory\n');
    expect((await checkDatabase(memory, undefined, 'production')).checks[0]).toMatchObject({ verdict: 'fail', detail: expect.stringMatching(/KRATOS RUNS IN MEMORY/), fix: expect.stringMatching(/postgres/) });
    expect((await checkDatabase(memory, undefined, 'development')).checks[0]?.verdict).toBe('warn');
    const sqlite = await files('dsn: sqlite:///var/k.sqlite\n');
    expect((await checkDatabase(sqlite, undefined, 'production')).checks[0]).toMatchObject({ verdict: 'warn', detail: expect.stringMatching(/SQLITE IN PRODUCTION/) });
  });

  it('fails a malformed DSN, a missing DSN, and warns when the files cannot be read', async () => {
    const bad = await files('dsn: postgres://k:Secr3t-DB-pass@db:5432/\n');
    expect((await checkDatabase(bad, undefined, 'production')).checks[0]).toMatchObject({ verdict: 'fail', detail: expect.stringMatching(/names no database/) });
    const none = await files('serve: {}\n');
    expect((await checkDatabase(none, undefined, 'production')).checks[0]).toMatchObject({ verdict: 'fail', detail: expect.stringMatching(/no dsn/) });
    const config = await readKratosConfig(['/nonexistent/kratos.yml']);
    expect(configFileChecks(config)).toEqual([expect.objectContaining({ id: 'kratos.config_files', verdict: 'warn', detail: 'cannot read Kratos config file /nonexistent/kratos.yml (ENOENT)' })]);
    const missing = checkKratosDatabase({ config, envDsn: undefined, mode: 'production' });
    expect(missing.checks.map((c) => `${c.id}:${c.verdict}`)).toEqual(['kratos.database:fail']);
    expect(missing.files).toEqual([{ path: '/nonexistent/kratos.yml', dsn: undefined, error: 'ENOENT' }]);
  });
});
