import pg from 'pg';
import { SetupError } from './setup-error.ts';

export interface TestDatabase {
  dsn: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * Creates a fresh, empty PostgreSQL database for one run (on SSOHUB_TEST_PG_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres) and returns a Kratos-style DSN for it.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.SSOHUB_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `ssohub_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3_000 });
  try {
    await admin.connect();
  } catch (err) {
    throw new SetupError(
      `PostgreSQL is not reachable at ${adminUrl.replace(/\/\/[^@]*@/, '//***@')}. Start it (Debian: pg_ctlcluster 15 main start) or set SSOHUB_TEST_PG_URL.`,
      { cause: err },
    );
  }
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  url.searchParams.set('sslmode', 'disable');
  return {
    dsn: url.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
