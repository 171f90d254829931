import { ChaosBrowser, type Outcome, RequestFailed } from './browser.ts';
import { type ChaosStack, terminateBackends } from './stack.ts';

/** One fault the suite injects, and how the system must come through it. */
export interface Fault {
  name: string;
  /** Hurts the stack; the load keeps running. */
  inject(stack: ChaosStack): Promise<void>;
  /** Undoes it the way an operator or supervisor would (restart the process, SIGCONT). */
  heal(stack: ChaosStack): Promise<void>;
  /** A logout started while the fault lasts must still reach the app (0 lost back-channel logouts). */
  logoutDuringFault?: boolean;
  /**
   * Kills the hub that took the admin's logout this long after it started, while its delivery
   * attempt is in flight (the app holds the request open). The logout is not sent again: the hub
   * accepted it, so it must arrive through another instance.
   */
  killDeliveringHubAfterMs?: number;
  /** The Redis topology the fault needs the stack on (default `sentinel`). */
  redis?: 'sentinel' | 'cluster';
}

export interface FaultReport {
  fault: string;
  ok: number;
  /** Failed requests by what they ended in: `503 page`, `503 oauth`, `502 other`, `timeout`... */
  failed: Record<string, number>;
  /** The slowest failed request (ms): a failure must be quick, never a hang. */
  slowestFailureMs: number;
  /** Requests (failed or not) that took longer than 2 s: what a user experiences as a hang. */
  slow: number;
  /** How long after the fault began requests kept failing (0: none failed); undefined: never recovered. */
  recoveryMs: number | undefined;
  lost: { sessions: number; grants: number; logouts: number };
  operations: { ok: number; failed: number };
  samples: string[];
}

export const FAULTS: Fault[] = [
  {
    name: 'redis primary killed (failover)',
    inject: (s) => s.redis.killPrimary(),
    heal: (s) => s.redis.heal(),
    logoutDuringFault: true,
  },
  {
    name: 'redis frozen (SIGSTOP)',
    inject: (s) => s.redis.freeze(),
    heal: (s) => s.redis.thaw(),
  },
  {
    name: 'kratos instance killed',
    inject: async (s) => {
      s.kratos[0]!.child.kill('SIGKILL');
    },
    heal: (s) => s.restartKratos(0),
  },
  {
    name: 'postgresql backends terminated',
    inject: async (s) => {
      await terminateBackends(s.database);
    },
    heal: async () => {},
  },
  {
    name: 'hub stopped (SIGTERM)',
    inject: async (s) => {
      s.hubs[1]!.child.kill('SIGTERM');
    },
    heal: async (s) => {
      await new Promise<void>((resolve) => (s.hubs[1]!.child.exitCode !== null ? resolve() : s.hubs[1]!.child.once('exit', () => resolve())));
      await s.restartHub(1);
    },
  },
  {
    name: 'hub killed (SIGKILL)',
    inject: async (s) => {
      s.hubs[0]!.child.kill('SIGKILL');
    },
    heal: (s) => s.restartHub(0),
  },
  {
    name: "app's back-channel endpoint failing",
    inject: async (s) => {
      s.app.mode = 'fail';
    },
    heal: async (s) => {
      s.app.mode = 'ok';
    },
    logoutDuringFault: true,
  },
  {
    name: 'hub killed while delivering a logout (lease)',
    inject: async (s) => {
      s.app.mode = 'hang';
    },
    heal: async (s) => {
      s.app.mode = 'ok';
      await s.restartHub(0);
    },
    logoutDuringFault: true,
    killDeliveringHubAfterMs: 800,
  },
  {
    name: 'redis cluster master killed (failover)',
    redis: 'cluster',
    inject: (s) => s.redis.killPrimary(),
    heal: (s) => s.redis.heal(),
    logoutDuringFault: true,
  },
];

/** What a failed request may end in: the hub's 503 page or an OAuth-shaped JSON error. */
export const ALLOWED = /^(503 page|503 oauth)$/;

/** A request slower than this counts as a hang, even if it ends well. */
export const SLOW_MS = 2_000;

const key = (o: Outcome) => (typeof o.status === 'number' ? `${o.status}${o.shape ? ` ${o.shape}` : ''}` : o.status);

/**
 * Runs one fault under load: browsers signed in beforehand keep doing SSO hops and refreshes
 * through the front proxy while the fault is injected, lasts `faultMs`, and is healed; then
 * checks that their sessions and grants survived and that a logout started during the fault
 * reached the app.
 */
export async function runFault(stack: ChaosStack, fault: Fault, o: { faultMs: number; settleMs: number; workers: number; logoutWaitMs: number }): Promise<FaultReport> {
  const failed: Record<string, number> = {};
  let ok = 0;
  let slowestFailureMs = 0;
  let slow = 0;
  const samples: string[] = [];
  const timeline: { at: number; ok: boolean }[] = [];
  let counting = false;
  const record = (outcome: Outcome) => {
    if (!counting) return;
    const good = typeof outcome.status === 'number' && outcome.status < 400;
    if (outcome.ms > SLOW_MS) {
      slow++;
      // Which request was slow, and how it ended: a hang is as wrong as a bare 500.
      samples.push(`over 2 s (${Math.round(outcome.ms)} ms): ${key(outcome)} ${(outcome.detail ?? '').slice(0, 160)}`);
    }
    timeline.push({ at: performance.now(), ok: good });
    if (good) ok++;
    else {
      // What each unexpected kind of failure was, whatever step it happened in.
      if (!ALLOWED.test(key(outcome)) && !samples.some((x) => x.startsWith(`${key(outcome)}:`))) samples.push(`${key(outcome)}: ${outcome.detail ?? ''}`);
      failed[key(outcome)] = (failed[key(outcome)] ?? 0) + 1;
      slowestFailureMs = Math.max(slowestFailureMs, outcome.ms);
    }
  };
  const browsers = await Promise.all(
    stack.users.map(async (u) => {
      const b = new ChaosBrowser(stack.issuer, stack.client, record);
      await b.signIn(u.email, u.password);
      return b;
    }),
  );
  counting = true;

  // One user is signed out by an admin during the fault (when the fault is about logouts): the app
  // must hear of it once everything has healed.
  const victim = fault.logoutDuringFault ? browsers.pop()! : undefined;
  const victimUser = fault.logoutDuringFault ? stack.users[browsers.length] : undefined;
  const victimSid = victim?.idToken ? (JSON.parse(Buffer.from(victim.idToken.split('.')[1]!, 'base64url').toString()) as { sid?: string }).sid : undefined;

  let running = true;
  const operations = { ok: 0, failed: 0 };
  // Each worker owns its browsers: one browser never runs two requests at once (a refresh token
  // used twice is a replay, and the hub rightly revokes the grant).
  const worker = async (w: number) => {
    const own = browsers.filter((_, i) => i % o.workers === w);
    if (own.length === 0) return;
    for (let i = 0; running && i < 100_000; i++) {
      const b = own[i % own.length]!;
      try {
        if (i % 2 === 0) await b.ssoHop();
        else await b.refresh();
        operations.ok++;
      } catch (err) {
        operations.failed++;
        // Every unexpected kind of failure is kept whole; the expected 503s only as a few examples.
        const expected = err instanceof RequestFailed && err.outcome.status === 503;
        if (!expected || samples.length < 3) samples.push((err as Error).message.slice(0, expected ? 160 : 400));
        // A browser whose refresh token was spent by a request that failed after the hub used it
        // gets a new one by an SSO hop, as an app would.
        if (!(err instanceof RequestFailed)) await new Promise((r) => setTimeout(r, 100));
        else await b.ssoHop().catch(() => undefined);
      }
    }
  };
  const load = Array.from({ length: o.workers }, (_, w) => worker(w));
  await new Promise((r) => setTimeout(r, o.settleMs));
  await fault.inject(stack);
  const injectedAt = performance.now();
  // An admin signs the victim out everywhere while the fault lasts. A refusal (the hub could not
  // take the request) is not a lost logout: the operator sees it and asks again after the heal.
  const adminLogout = () =>
    fetch(`${stack.adminUrl}/admin/identities/${encodeURIComponent(victimUser!.email)}/sessions`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${stack.adminToken}`, 'x-ssohub-actor': 'chaos' },
      signal: AbortSignal.timeout(10_000),
    }).then(
      (res) => res.ok,
      () => false,
    );
  const logoutAccepted = victimUser ? adminLogout() : undefined;
  if (fault.killDeliveringHubAfterMs !== undefined) {
    await new Promise((r) => setTimeout(r, fault.killDeliveringHubAfterMs));
    stack.hubs[0]!.child.kill('SIGKILL');
  }
  await new Promise((r) => setTimeout(r, o.faultMs));
  await fault.heal(stack);

  await new Promise((r) => setTimeout(r, o.settleMs));
  running = false;
  await Promise.all(load);
  let logoutRefused = false;
  if (logoutAccepted && !(await logoutAccepted) && fault.killDeliveringHubAfterMs === undefined) {
    logoutRefused = true;
    if (!(await adminLogout())) samples.push('admin logout refused during the fault and again after the heal');
  }

  counting = false;
  // Recovery: how long after the fault began requests kept failing (0 when none failed).
  const failures = timeline.filter((t) => t.at >= injectedAt && !t.ok);
  const recovered = failures.length === 0 || timeline.some((t) => t.ok && t.at > failures.at(-1)!.at);
  const recoveryMs = failures.length === 0 ? 0 : recovered ? failures.at(-1)!.at - injectedAt : undefined;

  // What survived: every other browser's session (an SSO hop without a page) and grant (a refresh).
  const lost = { sessions: 0, grants: 0, logouts: 0 };
  for (const b of browsers) {
    await b.refresh().catch(() => {
      lost.grants++;
    });
    await b.ssoHop().catch(() => {
      lost.sessions++;
    });
  }
  if (victimSid) {
    const deadline = Date.now() + o.logoutWaitMs;
    while (Date.now() < deadline && !stack.app.received.some((r) => r.sid === victimSid)) await new Promise((r) => setTimeout(r, 200));
    if (!stack.app.received.some((r) => r.sid === victimSid)) lost.logouts++;
  }
  if (logoutRefused) samples.push('the admin logout was refused during the fault and sent again after the heal');
  return { fault: fault.name, ok, failed, slowestFailureMs: Math.round(slowestFailureMs), slow, recoveryMs: recoveryMs === undefined ? undefined : Math.round(recoveryMs), lost, operations, samples };
}

/** The report as a table, one fault a row. */
export function renderReport(reports: FaultReport[]): string {
  const rows = reports.map((r) => [
    r.fault,
    String(r.ok),
    Object.entries(r.failed).map(([k, v]) => `${v}×${k}`).join(', ') || '0',
    r.slowestFailureMs ? `${r.slowestFailureMs} ms` : '-',
    String(r.slow),
    r.recoveryMs === undefined ? 'NOT RECOVERED' : `${r.recoveryMs} ms`,
    `${r.lost.sessions}/${r.lost.grants}/${r.lost.logouts}`,
  ]);
  const head = ['fault', 'requests ok', 'requests failed (status shape)', 'slowest failure', 'over 2 s', 'failing for', 'lost sessions/grants/logouts'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}
