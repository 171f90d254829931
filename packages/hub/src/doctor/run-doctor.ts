import { findClientProblems, idTokenAlgorithms } from '../clients/check-client-metadata.ts';
import type { HubContext } from '../hub-context.ts';
import { hubVersion } from '../hub-version.ts';
import { checkKratosBaseUrl } from './check-kratos-base-url.ts';
import { checkKratosDatabase, type KratosDatabaseReport } from './check-kratos-database.ts';
import { checkKratosAdmin, checkKratosMigrations } from './check-kratos-readiness.ts';
import { checkKratosSessionCookie } from './check-kratos-session-cookie.ts';
import { checkTracing } from './check-tracing.ts';
import { checkVerifiedEmailPolicy } from './check-verified-email-policy.ts';
import { type DoctorCheck, fail, ok, warn } from './doctor-check.ts';
import { configFileChecks, readKratosConfig } from './read-kratos-config.ts';
import { summarizeConfig } from './summarize-config.ts';

export interface DoctorReport {
  /** The hub's version (its package's). */
  version: string;
  /** The hub's configuration without secrets. */
  config: ReturnType<typeof summarizeConfig>;
  store: string;
  kratosDatabase: Omit<KratosDatabaseReport, 'checks'>;
  signingKeys: SigningKeyFact[] | undefined;
  checks: DoctorCheck[];
}

export interface SigningKeyFact {
  kid: string;
  alg: string | undefined;
  /** ISO time the key was created, when known. */
  createdAt: string | undefined;
}

const STEP_TIMEOUT_MS = 3_000;
const SKEW_WARN_S = 5;
const SKEW_FAIL_S = 30;
const KEY_MAX_AGE_DAYS = 180;

/**
 * Runs the server-side checks of `ssohub doctor`, each ending in a verdict and, unless ok, a
 * one-line fix. `envDsn`, `envSessionCookie` and `envBaseUrl` are Kratos' `DSN`,
 * `SESSION_COOKIE_NAME` and `SERVE_PUBLIC_BASE_URL` environment variables as the caller sees them
 * (the hub cannot read another process's environment).
 */
export async function runDoctor(
  ctx: HubContext,
  { envDsn, envSessionCookie, envBaseUrl }: { envDsn?: string | undefined; envSessionCookie?: string | undefined; envBaseUrl?: string | undefined } = {},
): Promise<DoctorReport> {
  const { config } = ctx;
  const checks: DoctorCheck[] = [ok('hub.config', `valid (${config.mode} mode, public URL ${config.publicUrl})`)];
  if (config.mode === 'development') {
    checks.push(warn('hub.mode', 'development mode: http issuers, the memory store and ephemeral keys are allowed', 'set SSOHUB_MODE=production for real deployments'));
  }

  const [kratosChecks, kratosConfig, storeChecks, clockChecks, clientChecks, keys] = await Promise.all([
    checkKratos(ctx),
    readKratosConfig(config.kratos.configFiles),
    checkStore(ctx),
    checkClocks(ctx),
    checkClients(ctx),
    signingKeyFacts(ctx),
  ]);
  const database = checkKratosDatabase({ config: kratosConfig, envDsn, mode: config.mode });
  checks.push(
    ...kratosChecks,
    ...configFileChecks(kratosConfig),
    ...database.checks,
    ...checkKratosSessionCookie({ config: kratosConfig, envName: envSessionCookie, configured: config.kratos.sessionCookieName }),
    checkKratosBaseUrl({ config: kratosConfig, envBaseUrl, publicUrl: config.publicUrl }),
    checkVerifiedEmailPolicy({ required: config.bridge.requireVerifiedEmail, config: kratosConfig }),
    checkTracing({ settings: ctx.tracing, config: kratosConfig }),
    ...storeChecks,
    ...checkIssuerAndCookies(ctx),
    ...checkSigningKeys(ctx, keys),
    ...clockChecks,
    ...clientChecks,
  );
  const { checks: _, ...kratosDatabase } = database;
  return { version: hubVersion(), config: summarizeConfig(ctx), store: ctx.storage.description, kratosDatabase, signingKeys: keys, checks };
}

async function step<T>(work: () => Promise<T>): Promise<{ value: T } | { error: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${STEP_TIMEOUT_MS / 1000} s`)), STEP_TIMEOUT_MS);
    });
    return { value: await Promise.race([work(), timeout]) };
  } catch (err) {
    return { error: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

async function checkKratos(ctx: HubContext): Promise<DoctorCheck[]> {
  const { publicUrl, adminUrl, configFiles } = ctx.config.kratos;
  const [alive, readiness, version] = await Promise.all([
    step(() => ctx.kratos.publicAlive()),
    // The full report, not readiness() (the /health shape): kratos.admin and kratos.migrations
    // need Kratos' reason and whether it answered at all.
    ctx.kratos.readinessReport(STEP_TIMEOUT_MS),
    step(() => ctx.kratos.version()),
  ]);
  const checks: DoctorCheck[] = [];
  checks.push(
    'value' in alive && alive.value
      ? ok('kratos.public', `reachable at ${publicUrl}`)
      : fail('kratos.public', `Kratos public API not answering at ${publicUrl}`, 'start Kratos (`kratos serve -c kratos.yml`) or fix kratos.publicUrl (SSOHUB_KRATOS_PUBLIC_URL)'),
  );
  checks.push(checkKratosAdmin(readiness, { adminUrl, configFiles }), checkKratosMigrations(readiness, { adminUrl, configFiles }));
  if ('value' in version) {
    const v = version.value;
    checks.push(
      /^v?1\.3\./.test(v)
        ? ok('kratos.version', `Kratos ${v}`)
        : warn('kratos.version', `Kratos reports version "${v}"; the hub is built and tested against v1.3.1`, v === 'master' ? 'build Kratos with -ldflags -X .../driver/config.Version=v1.3.1 (deploy/kratos/build.sh does)' : 'run Kratos v1.3.1'),
    );
  } else {
    checks.push(fail('kratos.version', `cannot read the Kratos version: ${version.error}`, 'start Kratos or fix kratos.adminUrl'));
  }
  return checks;
}

async function checkStore(ctx: HubContext): Promise<DoctorCheck[]> {
  const storage = ctx.storage;
  if (storage.kind === 'memory') {
    return [
      warn('hub.store', storage.description, 'use Redis: SSOHUB_STORE=redis SSOHUB_REDIS_URL=redis://host:6379 (the memory store is for the demo and unit tests)'),
    ];
  }
  const checks: DoctorCheck[] = [ok('hub.store', storage.description)];
  const ping = await step(() => storage.redis.ping());
  if (!('value' in ping)) {
    checks.push(fail('redis.reachable', `Redis does not answer (${ping.error}); sign-ins, sessions and lockouts fail`, 'start Redis or fix store.url (SSOHUB_REDIS_URL); check the password and TLS (rediss://)'));
    return checks;
  }
  checks.push(ok('redis.reachable', 'PING answered'));
  const persistence = await step(async () => {
    const save = (await storage.redis.config('GET', 'save')) as string[];
    const aof = (await storage.redis.config('GET', 'appendonly')) as string[];
    return { save: save[1] ?? '', appendonly: aof[1] ?? 'no' };
  });
  if (!('value' in persistence)) {
    checks.push(warn('redis.persistence', `cannot read persistence settings (${persistence.error}); managed Redis often disables CONFIG`, 'make sure the Redis service persists data (AOF or RDB snapshots)'));
  } else {
    const { save, appendonly } = persistence.value;
    const desc = `appendonly ${appendonly}, save "${save}"`;
    if (appendonly === 'yes') checks.push(ok('redis.persistence', desc));
    else if (save.trim() !== '') checks.push(warn('redis.persistence', `${desc}: RDB snapshots only, a crash loses the writes since the last snapshot`, 'enable AOF: appendonly yes in redis.conf (or CONFIG SET appendonly yes; CONFIG REWRITE)'));
    else checks.push(warn('redis.persistence', `${desc}: NOTHING IS PERSISTED, a Redis restart signs everyone out and clears lockouts and the audit stream`, 'enable AOF: appendonly yes in redis.conf (or CONFIG SET appendonly yes; CONFIG REWRITE)'));
  }
  return checks;
}

function checkIssuerAndCookies(ctx: HubContext): DoctorCheck[] {
  const issuer = ctx.bridge.issuer;
  const https = issuer.startsWith('https:');
  const checks = [
    https
      ? ok('hub.issuer', `issuer ${issuer}`)
      : (ctx.config.mode === 'production' ? fail : warn)('hub.issuer', `issuer ${issuer} is not https: tokens and cookies travel in clear text`, 'serve the login domain over https and set SSOHUB_PUBLIC_URL=https://...'),
  ];
  const keys = ctx.config.bridge.cookieKeys.length;
  const secure = ctx.config.publicUrl.startsWith('https:');
  const cookieFacts = `${secure ? 'Secure, ' : 'NOT Secure (http), '}host-only, SameSite=Lax; ${keys} signing key${keys === 1 ? '' : 's'}`;
  if (keys === 0) {
    checks.push(warn('hub.cookies', `${cookieFacts}: cookie keys are generated at startup, so every restart signs users out and instances disagree`, 'set SSOHUB_COOKIE_KEYS to one or more random strings of 32+ characters'));
  } else if (!secure) {
    checks.push(warn('hub.cookies', cookieFacts, 'serve the login domain over https so cookies get the Secure flag'));
  } else {
    checks.push(ok('hub.cookies', cookieFacts));
  }
  return checks;
}

/** The configured signing keys as the doctor reports them (kid, alg, age). */
async function signingKeyFacts(ctx: HubContext): Promise<SigningKeyFact[] | undefined> {
  const configured = ctx.config.bridge.signingKeys;
  if (configured.length === 0) return undefined;
  return configured.map((k) => ({
    kid: String(k.kid ?? '(no kid)'),
    alg: typeof k.alg === 'string' ? k.alg : undefined,
    createdAt: typeof k.iat === 'number' ? new Date(k.iat * 1000).toISOString() : undefined,
  }));
}

function checkSigningKeys(ctx: HubContext, keys: SigningKeyFact[] | undefined): DoctorCheck[] {
  if (!keys || keys.length === 0) {
    return [
      (ctx.config.mode === 'production' ? fail : warn)(
        'bridge.signing_keys',
        'no signing keys configured: an ephemeral pair is generated at startup, so ID tokens stop verifying after a restart and instances disagree',
        'generate keys and set SSOHUB_SIGNING_KEYS_FILE to a JSON file of private JWKs with unique kids',
      ),
    ];
  }
  const now = Date.now();
  const ages = keys.map((k) => ({ ...k, days: k.createdAt ? Math.floor((now - Date.parse(k.createdAt)) / 86_400_000) : undefined }));
  const desc = ages.map((k) => `${k.kid}${k.alg ? ` ${k.alg}` : ''} ${k.days === undefined ? 'age unknown' : `${k.days} days old`}`).join(', ');
  const old = ages.filter((k) => k.days !== undefined && k.days > KEY_MAX_AGE_DAYS);
  return [
    old.length > 0
      ? warn('bridge.signing_keys', `${keys.length} key(s): ${desc}; ${old.map((k) => k.kid).join(', ')} older than ${KEY_MAX_AGE_DAYS} days`, 'add a new key first in the signing keys file, keep the old one until its tokens expire, then remove it')
      : ok('bridge.signing_keys', `${keys.length} key(s): ${desc}`),
  ];
}

async function checkClocks(ctx: HubContext): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const kratos = await step(async () => {
    const { date, sentAt, answeredAt } = await ctx.kratos.publicDate(STEP_TIMEOUT_MS);
    if (!date) throw new Error('Kratos sent no Date header');
    // Date has one-second resolution: compare against the middle of the request, allow 1 s.
    return (Date.parse(date) + 500 - (sentAt + answeredAt) / 2) / 1000;
  });
  checks.push(skewCheck('clock.kratos', 'Kratos', kratos));
  if (ctx.storage.kind === 'redis') {
    const redis = ctx.storage.redis;
    const skew = await step(async () => {
      const before = Date.now();
      const [s, us] = await redis.time();
      const after = Date.now();
      return (Number(s) * 1000 + Number(us) / 1000 - (before + after) / 2) / 1000;
    });
    checks.push(skewCheck('clock.redis', 'Redis', skew));
  }
  return checks;
}

function skewCheck(id: string, name: string, result: { value: number } | { error: string }): DoctorCheck {
  if (!('value' in result)) return warn(id, `cannot compare clocks with ${name}: ${result.error}`, `make ${name} reachable, then run the doctor again`);
  const s = Math.abs(result.value);
  const desc = `${name} clock differs by ${result.value >= 0 ? '+' : '-'}${s.toFixed(1)} s`;
  const fix = 'run NTP (chrony or systemd-timesyncd) on every host; token lifetimes and lockouts depend on agreeing clocks';
  if (s > SKEW_FAIL_S) return fail(id, desc, fix);
  if (s > SKEW_WARN_S) return warn(id, desc, fix);
  return ok(id, desc);
}

async function checkClients(ctx: HubContext): Promise<DoctorCheck[]> {
  const listed = await step(() => ctx.clients.list());
  if (!('value' in listed)) return [fail('clients.uris', `cannot list clients: ${listed.error}`, 'make the store reachable, then run the doctor again')];
  const clients = listed.value;
  const problems = clients.flatMap((c) =>
    findClientProblems(c.metadata, { mode: ctx.config.mode, idTokenAlgs: idTokenAlgorithms(ctx.config.bridge.signingKeys) }).map((p) => `${c.metadata.client_id} (${c.source}): ${p}`),
  );
  if (clients.length === 0) return [warn('clients.uris', 'no clients onboarded yet', 'onboard one: ssohub clients create --id app --redirect-uri https://app.example.com/callback')];
  if (problems.length > 0) {
    return [fail('clients.uris', `${problems.length} problem(s): ${problems.join('; ')}`, 'fix each client with `ssohub clients update <id> ...` (or the clients file for configured clients)')];
  }
  return [ok('clients.uris', `${clients.length} client(s), every redirect, post-logout and back-channel URI well-formed`)];
}
