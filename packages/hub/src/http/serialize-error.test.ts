import { describe, expect, it } from 'vitest';
import { KratosError, KratosUnavailableError } from '../kratos/kratos-error.ts';
import { createLogger } from './create-logger.ts';
import { MAX_CAUSE_DEPTH, scrubSecrets, serializeError } from './serialize-error.ts';

/** An error as it reaches the log. */
type Logged = { type: string; message: string; stack?: string; cause?: Logged; [field: string]: unknown };

/** A logger of the hub's making whose lines land in `lines`, parsed. */
function capture() {
  const lines: string[] = [];
  const log = createLogger('info', { write: (line: string) => void lines.push(line) });
  return { log, lines, parsed: () => lines.map((l) => JSON.parse(l) as { err: Logged }) };
}

class StoreDown extends Error {}

describe('errors in the log', () => {
  it('logs an error with its type, message, stack and its cause chain as nested causes', () => {
    const { log, parsed } = capture();
    const root = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED', errno: -111, syscall: 'connect' });
    const middle = new StoreDown('the store is unreachable', { cause: root });
    const top = new KratosUnavailableError('Kratos is unreachable: ECONNREFUSED', { cause: middle });
    log.error({ err: top }, 'failed');
    const [line] = parsed();
    expect(line!.err).toMatchObject({ type: 'KratosUnavailableError', message: 'Kratos is unreachable: ECONNREFUSED' });
    expect(line!.err.stack).toContain('Kratos is unreachable: ECONNREFUSED\n    at ');
    expect(line!.err.stack).toContain('serialize-error.test.ts');
    expect(line!.err.cause).toMatchObject({ type: 'StoreDown', message: 'the store is unreachable' });
    expect(line!.err.cause!.stack).toContain('the store is unreachable\n    at ');
    expect(line!.err.cause!.cause).toMatchObject({ type: 'Error', code: 'ECONNREFUSED', errno: -111, syscall: 'connect' });
    expect(line!.err.cause!.cause!.stack).toContain('ECONNREFUSED');
    expect(line!.err.cause!.cause!.cause).toBeUndefined();
  });

  it('logs an error passed as the first argument the same way', () => {
    const { log, parsed } = capture();
    log.error(new TypeError('boom', { cause: new RangeError('inner') }), 'failed');
    expect(parsed()[0]!.err).toMatchObject({ type: 'TypeError', message: 'boom', cause: { type: 'RangeError', message: 'inner' } });
  });

  it('ends a deep chain and a cycle with a note instead of recursing', () => {
    let err: Error = new Error('level 0');
    for (let i = 1; i <= 20; i++) err = new Error(`level ${i}`, { cause: err });
    let node = serializeError(err) as Logged;
    for (let i = 0; i < MAX_CAUSE_DEPTH; i++) node = node.cause!;
    expect(node.cause).toMatchObject({ type: 'Truncated' });

    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect((serializeError(b) as Logged).cause!.cause).toMatchObject({ type: 'Cycle' });
  });

  it('keeps a value thrown that is no error as text', () => {
    expect(serializeError('plain text')).toEqual({ type: 'string', message: 'plain text' });
    expect(serializeError(undefined)).toEqual({ type: 'undefined', message: 'undefined' });
  });

  it('serializes what it already serialized to the same thing', () => {
    const once = serializeError(new Error('x', { cause: new Error('y') }));
    expect(serializeError(once)).toBe(once);
    const { log, parsed } = capture();
    log.error({ err: once }, 'twice');
    expect(parsed()[0]!.err).toMatchObject({ type: 'Error', message: 'x', cause: { message: 'y' } });
  });
});

describe('secrets an error carries never reach the log', () => {
  const cases: [string, () => unknown, string[]][] = [
    [
      'a Redis URL with its password in the message and the stack',
      () => new Error('Connection to redis://default:r3dis-pa55word@redis.internal:6379/0 failed'),
      ['r3dis-pa55word'],
    ],
    [
      'a Redis URL whose password holds an @',
      () => new Error('cannot reach rediss://:p@ss-w0rd-zz@cache:6380'),
      ['p@ss-w0rd-zz', 'ss-w0rd-zz'],
    ],
    ['a PostgreSQL DSN, URL form, in a cause', () => new Error('Kratos failed', { cause: new Error('dial postgres://kratos:pg-s3cret-value@db:5432/kratos?sslmode=disable') }), ['pg-s3cret-value']],
    ['a PostgreSQL DSN, keyword form', () => new Error('could not connect: host=db user=kratos password=kw-s3cret dbname=kratos'), ['kw-s3cret']],
    ['an Authorization header quoted by a library', () => new Error('request failed with headers {"authorization":"Bearer ory_pat_abcdef123456","accept":"application/json"}'), ['ory_pat_abcdef123456']],
    ['a bare Bearer credential', () => new Error('refused Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl'), ['eyJhbGciOiJSUzI1NiJ9']],
    ['a Basic credential', () => new Error('Authorization: Basic YXBwOnNlY3JldA=='), ['YXBwOnNlY3JldA==']],
    ['a cookie header', () => new Error('upstream said no to cookie: ory_kratos_session=MTY5c2Vzc2lvbg; csrf_token_x=abc'), ['MTY5c2Vzc2lvbg']],
    ['an authorization code and token hint in a URL', () => new Error('GET /cb?code=auth-c0de-xyz&state=st4te-value&id_token_hint=hint-t0ken failed'), ['auth-c0de-xyz', 'st4te-value', 'hint-t0ken']],
    [
      'a KratosError body holding a flow with its CSRF token',
      () => new KratosError(400, 'browser_location_change_required', { ui: { nodes: [{ attributes: { name: 'csrf_token', value: 'csrf-t0ken-in-body' } }] } }),
      ['csrf-t0ken-in-body'],
    ],
    [
      "an HTTP client error's request headers and body",
      () => Object.assign(new Error('socket hang up'), { headers: { cookie: 'session=h3ader-cookie' }, body: 'password=b0dy-password', options: { auth: 'u:opt-secret' } }),
      ['h3ader-cookie', 'b0dy-password', 'opt-secret'],
    ],
    ["an ioredis error's command arguments", () => Object.assign(new Error('ERR wrong number of arguments'), { command: { name: 'set', args: ['sess:1', 'r3dis-value-secret'] } }), ['r3dis-value-secret']],
    ['a secret in a detail', () => Object.assign(new Error('refused'), { detail: { reason: 'bad', password: 'detail-passw0rd', note: 'token=det4il-token' } }), ['detail-passw0rd', 'det4il-token']],
    ['secrets in a list in a detail', () => Object.assign(new Error('invalid client'), { detail: { problems: ['redirect_uris: https://u:l1st-secret@app/cb', 'client_secret=l1st-cs'] } }), ['l1st-secret', 'l1st-cs']],
    ['a secret in a thrown string', () => 'redis://:thr0wn-secret@host:6379 is down', ['thr0wn-secret']],
  ];

  it.each(cases)('%s', (_name, make, secrets) => {
    const { log, lines } = capture();
    const err = make();
    log.error({ err }, 'failed');
    if (err instanceof Error) log.error(err, 'failed as the first argument');
    const text = lines.join('');
    expect(text).toContain('"err":{"type"');
    for (const secret of secrets) expect(text).not.toContain(secret);
  });

  it("keeps a detail's facts", () => {
    const err = Object.assign(new Error('invalid client'), { detail: { problems: ['redirect_uris is empty'], read: 3, deep: { x: 1 } } });
    expect(serializeError(err)).toMatchObject({ detail: { problems: ['redirect_uris is empty'], read: 3, deep: '[object]' } });
  });

  it('keeps what an operator needs around a scrubbed secret', () => {
    expect(scrubSecrets('Connection to redis://default:pw@redis.internal:6379/0 failed')).toBe('Connection to redis://[redacted]@redis.internal:6379/0 failed');
    expect(scrubSecrets('connect ECONNREFUSED 127.0.0.1:6379')).toBe('connect ECONNREFUSED 127.0.0.1:6379');
    expect(scrubSecrets('Kratos answered 502 for GET /sessions/whoami')).toBe('Kratos answered 502 for GET /sessions/whoami');
  });
});
