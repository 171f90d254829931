import type { KratosReadiness } from '../kratos/kratos-client.ts';
import { type DoctorCheck, fail, ok, warn } from './doctor-check.ts';

// KratosClient.readinessReport reads Kratos' readiness (one place talks to Kratos); these
// checks only judge what it read.

const PENDING = /migrations have not yet been fully applied/i;

/** `kratos migrate sql` with the files Kratos is started with, as one line to paste. */
export function migrateCommand(configFiles: readonly string[]): string {
  const files = configFiles.length > 0 ? configFiles.map((f) => `-c ${f}`).join(' ') : '-c <Kratos config files>';
  return `kratos migrate sql -e --yes ${files}`;
}

/** kratos.admin: whether Kratos' admin API answers and Kratos says it is ready. */
export function checkKratosAdmin(readiness: KratosReadiness, { adminUrl, configFiles }: { adminUrl: string; configFiles: readonly string[] }): DoctorCheck {
  if (!readiness.answered) {
    return fail('kratos.admin', `Kratos admin API not answering at ${adminUrl}: ${readiness.error}`, 'start Kratos or fix kratos.adminUrl (SSOHUB_KRATOS_ADMIN_URL)');
  }
  if (readiness.ready) return ok('kratos.admin', `reachable at ${adminUrl}; Kratos is ready`);
  return fail(
    'kratos.admin',
    `Kratos is not ready: ${readiness.reason}`,
    PENDING.test(readiness.reason)
      ? `back up the database, then run \`${migrateCommand(configFiles)}\` with Kratos' DSN`
      : "check that the database in Kratos' DSN is running and reachable from Kratos",
  );
}

/**
 * kratos.migrations: whether Kratos' SQL migrations are applied, as Kratos' readiness reports it.
 * Only Kratos' own "not yet fully applied" counts as not applied; any other reason it is not
 * ready (its database down, errors hidden) leaves the question open.
 */
export function checkKratosMigrations(readiness: KratosReadiness, { adminUrl, configFiles }: { adminUrl: string; configFiles: readonly string[] }): DoctorCheck {
  const migrate = migrateCommand(configFiles);
  if (!readiness.answered) {
    // Kratos v1.3.1 on a database without its tables does not open its ports: it retries reading
    // its network from the database for five minutes ("Unable to determine network, retrying"),
    // then exits. Its readiness can only report pending migrations once some are applied.
    return warn(
      'kratos.migrations',
      `unknown: Kratos' admin API does not answer at ${adminUrl} (${readiness.error})`,
      `start Kratos; if its log repeats "Unable to determine network, retrying", its database has no tables yet: run \`${migrate}\` with Kratos' DSN`,
    );
  }
  if (readiness.ready) return ok('kratos.migrations', 'applied');
  if (PENDING.test(readiness.reason)) {
    return fail('kratos.migrations', `not applied: Kratos says "${readiness.reason}"`, `back up the database, then run \`${migrate}\` with Kratos' DSN`);
  }
  return warn('kratos.migrations', `unknown: Kratos is not ready for another reason (${readiness.reason})`, "make Kratos' database reachable (see kratos.database and Kratos' log), then run the doctor again");
}
