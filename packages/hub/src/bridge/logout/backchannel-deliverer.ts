/**
 * Owns the delivery of back-channel logout tokens, at least once (ADR 0009), from whichever hub
 * instance: the attempts, their retries, and the takeover of a job whose instance died.
 */
import type { Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { AuditLog } from '../../audit/audit-log.ts';
import type { HubMetrics } from '../../metrics/hub-metrics.ts';
import { type ChildSpan, requestTraceContext, SpanKind, startSpanUnder } from '../../tracing/hub-spans.ts';
import type { BackchannelJob, BackchannelQueue, LeasedJob } from './backchannel-queue.ts';

/**
 * Sends one logout token to the client's back-channel logout URI, with `headers` (the W3C trace
 * context of the attempt's span, when it has one) on the POST: resolves on a 2xx, rejects on any
 * other answer or a network failure, returns `false` when the client is gone or has no URI.
 */
export type SendLogoutToken = (clientId: string, accountId: string, sid: string, headers?: Readonly<Record<string, string>>) => Promise<boolean>;

export interface BackchannelDeliverer {
  /**
   * Stores the delivery (leased to this instance), then makes its first attempt at once; a failure
   * schedules the next one. Rejects only when the job could not be stored. Called inside a traced,
   * sampled request, the job keeps that request's trace context.
   */
  deliver(job: Omit<BackchannelJob, 'id' | 'trace'> & { id?: string }): Promise<void>;
  /** Claims the jobs that are due (or whose lease ran out) and attempts them; the timer calls it. */
  poll(): Promise<void>;
  start(): void;
  stop(): void;
}

export type BackchannelOutcome = 'delivered' | 'failed' | 'abandoned';

const CLAIM_LIMIT = 20;

/**
 * Every delivery is a stored job before its first attempt; an attempt holds a lease on the job,
 * and the job is removed only after a 2xx or after its last attempt, which moves it to the
 * store's bounded record of failed deliveries (listed and retried by backchannel-deliveries.ts).
 * An instance that dies during an attempt leaves its lease to run out, and the next poll of any
 * instance takes the job over.
 * Every attempt is an audit event (`bridge.backchannel.delivered`, `.failed`, `.abandoned`) and a
 * count in `ssohub_backchannel_deliveries_total`. Each attempt mints a fresh logout token (new
 * jti, fresh iat), so a late retry is never refused as stale; a client may see one logout twice
 * (a takeover after a lost answer), which back-channel logout allows: ending a session is
 * idempotent.
 * With tracing on, each attempt of a job queued in a traced request is a span of that request's
 * trace (attemptSpan), and its POST carries the span's `traceparent`; without, a check per attempt.
 */
export function createBackchannelDeliverer(o: {
  send: SendLogoutToken;
  queue: BackchannelQueue;
  audit: AuditLog;
  log: Logger;
  metrics?: HubMetrics['backchannel'];
  /** Delay before each retry; attempts = retries + 1. */
  retryDelaysMs: readonly number[];
  pollIntervalMs: number;
  /** How long a claim holds a job; longer than one attempt can take. */
  leaseMs: number;
  /** The hub's tracer when tracing is on: each attempt of a job with a trace context is a span of it. */
  tracer?: Tracer;
}): BackchannelDeliverer {
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;

  const record = (job: BackchannelJob, outcome: BackchannelOutcome, extra: { error?: string; takenOver?: boolean } = {}) => {
    o.metrics?.deliveries.inc({ outcome });
    o.audit.record({
      type: `bridge.backchannel.${outcome}`,
      actor: 'system',
      subject: job.accountId,
      clientId: job.clientId,
      outcome: outcome === 'delivered' ? 'success' : 'failure',
      attempt: job.attempt,
      reason: job.reason,
      deliveryId: job.id,
      // The session the app is told about (the ID token's sid): lets a reviewer match a delivery to
      // the exact session it ended, not just the client and user.
      ...(job.sid ? { sid: job.sid } : {}),
      ...(extra.error ? { error: extra.error } : {}),
      ...(extra.takenOver ? { takenOver: true } : {}),
    });
  };

  const lostLease = (job: BackchannelJob, what: string) =>
    o.log.warn({ deliveryId: job.id, clientId: job.clientId, attempt: job.attempt }, `back-channel lease ran out before ${what}; another instance has taken the job over`);

  const attempt = async ({ job, lease, takenOver }: LeasedJob): Promise<void> => {
    // A takeover gets one real attempt even after the last scheduled one went unanswered, but a
    // job whose attempts keep ending without an answer (its instance dies each time) stops here.
    if (takenOver && job.attempt > o.retryDelaysMs.length + 2) {
      const error = `gave up after ${job.attempt - 1} attempts, the last ones unanswered (lease ran out)`;
      if (await o.queue.abandon({ ...job, attempt: job.attempt - 1 }, lease, error)) record(job, 'abandoned', { error });
      return;
    }
    const span = o.tracer && job.trace ? attemptSpan(o.tracer, job) : undefined;
    let sent: boolean;
    try {
      sent = await (span ? o.send(job.clientId, job.accountId, job.sid, span.headers()) : o.send(job.clientId, job.accountId, job.sid));
    } catch (err) {
      const delay = o.retryDelaysMs[job.attempt - 1];
      endAttemptSpan(span, delay === undefined ? 'abandoned' : 'failed', err);
      const error = describe(err);
      record(job, 'failed', { error, takenOver });
      if (delay === undefined) {
        // Kept in the record of failed deliveries, for an operator to see and retry (issue 27).
        if (await o.queue.abandon({ ...job, lastError: error }, lease, error)) record(job, 'abandoned', { error: `gave up after ${job.attempt} attempts: ${error}` });
        else lostLease(job, 'abandoning');
      } else if (!(await o.queue.retryLater({ ...job, attempt: job.attempt + 1, lastError: error }, lease, delay))) {
        lostLease(job, 'scheduling a retry');
      }
      return;
    }
    endAttemptSpan(span, sent ? 'delivered' : 'abandoned');
    if (!sent) {
      // Not a failed delivery: there is nowhere to deliver to, and a retry would end the same way.
      if (await o.queue.settle(job.id, lease)) record(job, 'abandoned', { error: 'client is gone or has no backchannel_logout_uri' });
      return;
    }
    record(job, 'delivered', { takenOver });
    // The client has its logout; a lost lease only means another instance may send it again.
    if (!(await o.queue.settle(job.id, lease))) lostLease(job, 'removing a delivered job');
  };

  const settleSafely = (leased: LeasedJob) =>
    attempt(leased).catch((err: Error) =>
      // The job stays stored and leased: it is attempted again when the lease runs out.
      o.log.error({ err, deliveryId: leased.job.id }, 'back-channel delivery bookkeeping failed; the job is retried when its lease runs out'),
    );

  const pollOnce = async () => {
    try {
      const due = await o.queue.claim(CLAIM_LIMIT, o.leaseMs);
      await Promise.all(due.map(settleSafely));
    } catch (err) {
      o.log.error({ err }, 'back-channel retry poll failed');
    }
  };
  // One poll at a time per instance: a slow attempt must not make the timer pile up claims.
  const poll = () => {
    polling ??= pollOnce().finally(() => {
      polling = undefined;
    });
    return polling;
  };

  return {
    async deliver(input) {
      // Only the request's own trace context, never one a caller hands in: what a job carries of
      // a trace is two W3C strings the hub wrote itself.
      const { trace: _, ...fields } = input as typeof input & { trace?: unknown };
      const trace = requestTraceContext();
      const job: BackchannelJob = { ...fields, id: input.id ?? crypto.randomUUID(), ...(trace ? { trace } : {}) };
      const lease = await o.queue.addLeased(job, o.leaseMs);
      if (lease === undefined) return;
      await settleSafely({ job, lease, takenOver: false });
    },
    poll,
    start() {
      timer = setInterval(() => void poll(), o.pollIntervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}

/**
 * The CLIENT span of one attempt, a child of the logout's request span recorded with the job (not
 * a span linked to it): OpenTelemetry's messaging conventions allow the creation context as the
 * parent when one message is processed on its own, and keep links for batches or work that is not
 * part of the producer's operation. A delivery is one job, made for one logout, and the logout is
 * not done until every app has ended its session: as a child, the logout's trace shows each app's
 * delivery, retries included, and the app's own spans (it continues from `traceparent`) beneath
 * it. The cost is a trace that may end long after its request, by the retry schedule at most.
 * Named like the hub's other client calls (method, then what is called); its attributes are the
 * ones hub-spans.ts allows: never the URI, the token, the sid or the user.
 */
function attemptSpan(tracer: Tracer, job: BackchannelJob): ChildSpan | undefined {
  return startSpanUnder(tracer, job.trace, 'POST backchannel_logout', SpanKind.CLIENT, {
    'http.request.method': 'POST',
    'ssohub.client_id': job.clientId,
    'ssohub.backchannel.attempt': job.attempt,
  });
}

function endAttemptSpan(span: ChildSpan | undefined, outcome: BackchannelOutcome, err?: unknown): void {
  if (!span) return;
  span.span.setAttribute('ssohub.backchannel.outcome', outcome);
  if (err === undefined) {
    span.end();
    return;
  }
  // The status of the app's answer, or the network failure's code: no endpoint at all, where
  // describe() keeps its scheme://host/path for operators.
  const status = (err as { response?: { status?: unknown } }).response?.status;
  if (typeof status === 'number') span.span.setAttribute('http.response.status_code', status);
  const code = (err as { cause?: { code?: unknown } }).cause?.code;
  span.end(typeof status === 'number' ? `HTTP ${status}` : typeof code === 'string' ? code : 'no answer');
}

/**
 * The error an operator sees of a failed attempt (the deliveries list, the admin API, the audit
 * `error`): the app's HTTP status with the endpoint as scheme://host/path, or the network
 * failure's code. Never the token that was sent, nor the endpoint's query or fragment: an app may
 * keep a secret there, and oidc-provider's own message ("expected 200 OK from <uri>, got: …")
 * names the whole URI, so it is not used.
 */
function describe(err: unknown): string {
  const e = err as Error & { cause?: { code?: string }; response?: { status?: unknown; url?: unknown } };
  const status = e.response?.status;
  if (typeof status === 'number') {
    const url = e.response?.url;
    const where = typeof url === 'string' ? withoutQuery(url) : undefined;
    return where ? `HTTP ${status} from ${where}` : `HTTP ${status}`;
  }
  const message = scrubUris(typeof e.message === 'string' ? e.message : String(err));
  return e.cause?.code ? `${message} (${e.cause.code})` : message;
}

/** scheme://host/path of an absolute URI (no credentials, query or fragment), or undefined when it is none. */
function withoutQuery(uri: string): string | undefined {
  try {
    const url = new URL(uri);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return undefined;
  }
}

/**
 * Every URI in a message cut down to scheme://host/path, for errors whose text names one. A URI
 * runs to the next space (a query may hold commas); punctuation that ends it is the sentence's.
 */
function scrubUris(message: string): string {
  return message.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (found) => {
    const [, uri = found, after = ''] = /^(.*?)([,;.:)]*)$/.exec(found) ?? [];
    return `${withoutQuery(uri) ?? '<uri>'}${after}`;
  });
}
