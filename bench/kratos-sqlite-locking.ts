/**
 * Kratos on SQLite under concurrent sign-ins, with a choice of DSN options: shows the deadlock
 * between ory/pop's process-wide write mutex and SQLite's write lock (docs/benchmarks.md).
 *
 *   npm run bench:sqlite-locking -- [dsn options] [seconds]
 *   e.g. '&_busy_timeout=5000' (pop's mutex on, as Kratos defaults) or '&lock=false' (the testkit's)
 *
 * 8 API password sign-ins (bcrypt, then the session written in a transaction) and 24 registration
 * flow creations (one insert each) run in loops against one Kratos; it prints how many succeeded,
 * how many failed, the slowest, and Kratos' first error line.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKratos, startSmtpCapture } from '@ssohub/testkit';

const options = process.argv[2] ?? '&lock=false';
const seconds = Number(process.argv[3] ?? 40);

async function main() {
  const smtp = await startSmtpCapture();
  const file = join(mkdtempSync(join(tmpdir(), 'ssohub-sqlite-locking-')), 'kratos.sqlite');
  const errors: string[] = [];
  const kratos = await startKratos({
    smtpPort: smtp.port,
    dev: true,
    database: { kind: 'sqlite', file },
    overrides: { log: { level: 'warning' }, dsn: `sqlite://${file}?_fk=true&mode=rwc&_journal_mode=WAL${options}` },
    log: (line) => {
      if (/"level":"error"/.test(line)) errors.push(line);
    },
  });
  try {
    const users = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const user = { email: `locking-${i}@bench.test`, password: `locking-bench-password-${i}` };
        const res = await fetch(`${kratos.adminUrl}/admin/identities`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ schema_id: 'person', traits: { email: user.email }, credentials: { password: { config: { password: user.password } } } }),
        });
        if (!res.ok) throw new Error(`creating an identity: ${res.status} ${await res.text()}`);
        return user;
      }),
    );
    const end = Date.now() + seconds * 1000;
    const tally = { ok: 0, failed: 0, slowestMs: 0 };
    const timed = async (op: () => Promise<boolean>) => {
      const start = performance.now();
      const good = await op().catch(() => false);
      tally.slowestMs = Math.max(tally.slowestMs, performance.now() - start);
      if (good) tally.ok++;
      else tally.failed++;
    };
    const signIn = (user: (typeof users)[number]) => async () => {
      const flow = (await (await fetch(`${kratos.publicUrl}/self-service/login/api`)).json()) as { id: string };
      const res = await fetch(`${kratos.publicUrl}/self-service/login?flow=${flow.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ method: 'password', identifier: user.email, password: user.password }),
      });
      await res.arrayBuffer();
      return res.ok;
    };
    const createFlow = async () => {
      const res = await fetch(`${kratos.publicUrl}/self-service/registration/api`);
      await res.arrayBuffer();
      return res.ok;
    };
    const loop = async (op: () => Promise<boolean>) => {
      while (Date.now() < end) await timed(op);
    };
    await Promise.all([...users.map((u) => loop(signIn(u))), ...Array.from({ length: 24 }, () => loop(createFlow))]);
    console.log(`DSN options "${options}", ${seconds} s: ${tally.ok} ok, ${tally.failed} failed, slowest ${Math.round(tally.slowestMs)} ms, ${errors.length} Kratos error lines`);
    if (errors[0]) console.log(`first Kratos error: ${errors[0].slice(0, 400)}`);
  } finally {
    await kratos.stop();
    await smtp.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
