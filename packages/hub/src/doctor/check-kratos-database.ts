import { type DsnClassification, classifyDsn } from './classify-dsn.ts';
import { type DoctorCheck, fail, ok, warn } from './doctor-check.ts';
import type { KratosConfig } from './read-kratos-config.ts';

export interface KratosDatabaseReport {
  /** Each Kratos config file and the dsn it sets (redacted), in merge order. */
  files: { path: string; dsn: string | undefined; error?: string }[];
  /** The `DSN` environment variable as given to the doctor (redacted), if any. */
  env: string | undefined;
  /** Which source Kratos uses: the environment beats every file; among files the last one wins. */
  effective: { source: string; classification: DsnClassification } | undefined;
  checks: DoctorCheck[];
}

const MIGRATE_FIX = 'point dsn (or the DSN variable) at PostgreSQL, e.g. postgres://kratos:***@db:5432/kratos?sslmode=require, then run `kratos migrate sql -e --yes`';

/**
 * Works out which database Kratos is configured to use: the `dsn` of every config file and the
 * `DSN` environment override, says which wins, classifies it, and warns about memory and SQLite
 * in production and about malformed DSNs. Files the doctor cannot read are reported by
 * configFileChecks; the DSN is judged from the others.
 */
export function checkKratosDatabase({
  config,
  envDsn,
  mode,
}: {
  config: KratosConfig;
  envDsn: string | undefined;
  mode: 'production' | 'development';
}): KratosDatabaseReport {
  const checks: DoctorCheck[] = [];
  let fromFiles: { source: string; dsn: string } | undefined;
  const files = config.files.map(({ path, tree, error }) => {
    if (error !== undefined) return { path, dsn: undefined, error };
    const dsn = tree?.['dsn'];
    // Kept (not skipped) so that classifyDsn fails it: Kratos' schema wants a string.
    const text = dsn === undefined || dsn === null ? undefined : typeof dsn === 'object' ? '<a mapping or sequence>' : String(dsn);
    if (text !== undefined) fromFiles = { source: `file ${path}`, dsn: text };
    return { path, dsn: text === undefined ? undefined : classifyDsn(text).redacted };
  });
  const configFiles = config.files.map((f) => f.path);
  const envUsed = envDsn !== undefined && envDsn !== '';
  const chosen = envUsed ? { source: 'environment variable DSN', dsn: envDsn } : fromFiles;
  const report: KratosDatabaseReport = { files, env: envUsed ? classifyDsn(envDsn).redacted : undefined, effective: undefined, checks };

  if (configFiles.length === 0 && !envUsed) {
    checks.push(warn('kratos.database', 'unknown: kratos.configFiles is empty and no DSN variable was given', 'set SSOHUB_KRATOS_CONFIG_FILES to the files Kratos is started with, and run `ssohub doctor` with Kratos\' environment (DSN)'));
    return report;
  }
  if (!chosen) {
    checks.push(fail('kratos.database', `no dsn in ${configFiles.join(', ')} and no DSN variable: Kratos will refuse to start`, 'set dsn in the Kratos config file or the DSN variable'));
    return report;
  }
  const classification = classifyDsn(chosen.dsn);
  report.effective = { source: chosen.source, classification };
  const overridden = envUsed && fromFiles ? ` (overrides ${fromFiles.source}: ${classifyDsn(fromFiles.dsn).redacted})` : '';
  const where = `from ${chosen.source}${overridden}`;
  if (classification.problems.length > 0) {
    checks.push(fail('kratos.database', `malformed DSN ${classification.redacted} ${where}: ${classification.problems.join('; ')}`, 'fix the DSN, e.g. postgres://kratos:***@db:5432/kratos?sslmode=require'));
    return report;
  }
  const summary = `${classification.description} ${where}`;
  switch (classification.kind) {
    case 'memory':
      checks.push(
        mode === 'production'
          ? fail('kratos.database', `KRATOS RUNS IN MEMORY in production: ${summary}`, MIGRATE_FIX)
          : warn('kratos.database', `Kratos runs in memory: ${summary}`, `fine for a demo; for anything else ${MIGRATE_FIX}`),
      );
      break;
    case 'sqlite':
      checks.push(
        mode === 'production'
          ? warn('kratos.database', `SQLITE IN PRODUCTION: ${summary}; one Kratos instance only, no failover, backups are file copies`, MIGRATE_FIX)
          : ok('kratos.database', summary),
      );
      checks.push(sqliteLockCheck(chosen.dsn));
      break;
    default:
      checks.push(ok('kratos.database', summary));
      checks.push(poolCheck(chosen.dsn));
  }
  return report;
}

/**
 * Go's database/sql keeps 2 idle connections unless the DSN says otherwise, so a busy Kratos
 * opens and closes a PostgreSQL connection (a forked backend) for most queries (measured in
 * docs/benchmarks.md: 104 vs 126 SSO hops/s).
 */
function poolCheck(dsn: string) {
  let idle: string | null = null;
  try {
    idle = new URL(dsn).searchParams.get('max_idle_conns');
  } catch {
    // classifyDsn has judged the DSN already
  }
  const fix = 'add max_conns and max_idle_conns to the DSN, e.g. ...?sslmode=require&max_conns=40&max_idle_conns=40 (all Kratos instances together under PostgreSQL max_connections)';
  if (idle === null) return warn('kratos.pool', 'the DSN sets no max_idle_conns: Kratos keeps 2 idle PostgreSQL connections and reconnects under load', fix);
  if (!/^\d+$/.test(idle) || Number(idle) < 4) return warn('kratos.pool', `max_idle_conns=${idle} in the DSN: Kratos reconnects to PostgreSQL under load`, fix);
  return ok('kratos.pool', `max_idle_conns=${idle}`);
}

/**
 * Kratos' ORM (ory/pop) holds a process-wide mutex around every SQLite write, also inside
 * transactions, unless the DSN says `lock=false`. A transaction holding SQLite's write lock then
 * waits for that mutex while its holder waits for the write lock, until the busy timeout fails one
 * of them: under concurrent sign-ins, failed requests ("sqlite create: named insert: database is
 * locked") and others stalled for a minute or more (docs/benchmarks.md).
 */
function sqliteLockCheck(dsn: string) {
  const query = dsn.split('?', 2)[1] ?? '';
  if (new URLSearchParams(query).get('lock') === 'false') return ok('kratos.sqlite_lock', 'lock=false: SQLite alone serializes writes');
  return warn(
    'kratos.sqlite_lock',
    "the SQLite DSN does not set lock=false: Kratos' ORM and SQLite lock against each other under concurrent sign-ins (requests fail with 'database is locked' or stall)",
    'add lock=false (and _journal_mode=WAL) to the DSN, e.g. sqlite:///var/lib/kratos/kratos.sqlite?_fk=true&_journal_mode=WAL&lock=false',
  );
}
