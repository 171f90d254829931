import { ROOT_CONTEXT, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEvent, AuditLog } from '../../audit/audit-log.ts';
import { createHubMetrics } from '../../metrics/hub-metrics.ts';
import { HubRequest, runHubRequest } from '../../request/hub-request.ts';
import { type BackchannelDeliverer, createBackchannelDeliverer, type SendLogoutToken } from './backchannel-deliverer.ts';
import type { BackchannelQueue } from './backchannel-queue.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const LEASE_MS = 300;

/** Polls with every deliverer until `done()` or 2 s have passed (a loaded machine is slow). */
async function pollUntil(deliverers: BackchannelDeliverer[], done: () => boolean): Promise<void> {
  const until = Date.now() + 2_000;
  while (!done() && Date.now() < until) await Promise.race([Promise.all(deliverers.map((d) => d.poll())), sleep(25)]);
}

/**
 * How back-channel delivery behaves over a queue, run against memory and real Redis. `make(name)`
 * gives a fresh queue; the same `name` twice gives two handles on one queue (two hub instances).
 * Deliverers here never start their timers: each test polls by hand, so nothing runs unbounded.
 */
export function describeBackchannelDelivery(label: string, make: (name: string) => BackchannelQueue): void {
  describe(`back-channel delivery, at least once: ${label}`, () => {
    const instance = (queue: BackchannelQueue, send: SendLogoutToken, retryDelaysMs = [100, 100], tracer?: Tracer) => {
      const events: AuditEvent[] = [];
      const audit: AuditLog = { record: (e) => void events.push(e), tail: async () => [] };
      const metrics = createHubMetrics();
      const deliverer: BackchannelDeliverer = createBackchannelDeliverer({
        send,
        queue,
        audit,
        log: pino({ level: 'silent' }),
        metrics: metrics.backchannel,
        retryDelaysMs,
        pollIntervalMs: 50,
        leaseMs: LEASE_MS,
        ...(tracer ? { tracer } : {}),
      });
      const outcomes = () => events.map((e) => `${String(e.type).replace('bridge.backchannel.', '')}#${e.attempt}${e.takenOver ? '*' : ''}`);
      const counted = async () =>
        Object.fromEntries((await metrics.backchannel.deliveries.get()).values.map((v) => [v.labels.outcome, v.value]));
      return { deliverer, events, outcomes, counted };
    };
    const job = { clientId: 'app-a', accountId: 'ada', sid: 'sid-1', attempt: 1, reason: 'admin_revoked' };
    const name = () => crypto.randomUUID();

    it('stores the delivery before its first attempt and removes it after a 2xx', async () => {
      const queue = make(name());
      let storedDuringAttempt: unknown[] = [];
      const a = instance(queue, async () => {
        storedDuringAttempt = await queue.pending();
        return true;
      });
      await a.deliverer.deliver(job);
      expect(storedDuringAttempt).toEqual([expect.objectContaining({ ...job, id: expect.any(String) })]);
      expect(await queue.pending()).toEqual([]);
      expect(a.outcomes()).toEqual(['delivered#1']);
      expect(a.events[0]).toMatchObject({ clientId: 'app-a', subject: 'ada', reason: 'admin_revoked', outcome: 'success' });
      expect(await a.counted()).toEqual({ delivered: 1 });
    });

    it('retries a failed attempt after its delay and removes the job once delivered', async () => {
      const queue = make(name());
      let calls = 0;
      const a = instance(queue, async () => {
        if (++calls === 1) throw new Error('expected 200 OK from https://app-a.test/bc, got: 503 Service Unavailable');
        return true;
      });
      await a.deliverer.deliver(job);
      expect(await queue.pending()).toEqual([expect.objectContaining({ attempt: 2, lastError: 'expected 200 OK from https://app-a.test/bc, got: 503 Service Unavailable' })]);
      await a.deliverer.poll();
      expect(calls).toBe(1);
      await pollUntil([a.deliverer], () => calls === 2);
      expect(calls).toBe(2);
      expect(await queue.pending()).toEqual([]);
      expect(a.outcomes()).toEqual(['failed#1', 'delivered#2']);
      expect(a.events[0]?.error).toMatch(/503/);
      expect(await a.counted()).toEqual({ failed: 1, delivered: 1 });
    });

    it('records the app’s status and its endpoint without the query, which may hold a secret', async () => {
      const queue = make(name());
      // As oidc-provider throws it: its message names the whole URI, its response says the status.
      const uri = 'https://app-a.test/bc?tenant=t1&api_key=s3cret';
      const answered = Object.assign(new Error(`expected 200 OK from ${uri}, got: 503 Service Unavailable`), { response: { status: 503, url: uri } });
      const a = instance(queue, async () => {
        throw answered;
      });
      await a.deliverer.deliver(job);
      expect(await queue.pending()).toEqual([expect.objectContaining({ attempt: 2, lastError: 'HTTP 503 from https://app-a.test/bc' })]);
      expect(a.events[0]).toMatchObject({ outcome: 'failure', error: 'HTTP 503 from https://app-a.test/bc' });

      // Any other error that names a URI has it cut down the same way; a response without one says the status alone.
      const other = make(name());
      const b = instance(
        other,
        async () => {
          throw new Error(`redirect to https://user:pw@elsewhere.test/x?code=s3cret#f, refused`);
        },
        [],
      );
      await b.deliverer.deliver(job);
      const c = instance(make(name()), async () => {
        throw Object.assign(new Error('expected 200 OK'), { response: { status: 500 } });
      });
      await c.deliverer.deliver(job);
      expect(b.events.map((e) => e.error)).toEqual(['redirect to https://elsewhere.test/x, refused', 'gave up after 1 attempts: redirect to https://elsewhere.test/x, refused']);
      expect((await other.failed())[0]?.error).toBe('redirect to https://elsewhere.test/x, refused');
      expect(c.events[0]?.error).toBe('HTTP 500');
      expect(JSON.stringify([a.events, b.events, await queue.pending(), await other.failed()])).not.toMatch(/s3cret|user:pw|tenant/);
    });

    it('abandons the job after its last attempt, with an audit event and a count', async () => {
      const queue = make(name());
      const a = instance(
        queue,
        async () => {
          throw new Error('fetch failed', { cause: { code: 'ECONNREFUSED' } });
        },
        [50],
      );
      await a.deliverer.deliver(job);
      await pollUntil([a.deliverer], () => a.events.length === 3);
      expect(await queue.pending()).toEqual([]);
      expect(a.outcomes()).toEqual(['failed#1', 'failed#2', 'abandoned#2']);
      expect(a.events[2]).toMatchObject({ outcome: 'failure', error: 'gave up after 2 attempts: fetch failed (ECONNREFUSED)' });
      expect(await a.counted()).toEqual({ failed: 2, abandoned: 1 });
      // Kept for an operator to see and retry, with how many attempts were made and why the last failed.
      expect(await queue.failed()).toEqual([
        { job: { ...job, id: expect.any(String), attempt: 2, lastError: 'fetch failed (ECONNREFUSED)' }, failedAt: expect.any(Number), error: 'fetch failed (ECONNREFUSED)' },
      ]);
    });

    it('abandons at once a delivery to a client that is gone or has no back-channel URI', async () => {
      const queue = make(name());
      const a = instance(queue, async () => false);
      await a.deliverer.deliver(job);
      expect(await queue.pending()).toEqual([]);
      expect(a.outcomes()).toEqual(['abandoned#1']);
      // Nowhere to deliver to is not a failed delivery: a retry would end the same way.
      expect(await queue.failed()).toEqual([]);
    });

    it('lets another instance deliver a first attempt whose instance died during it, once the lease ran out', async () => {
      const shared = name();
      const dying = instance(make(shared), () => new Promise<boolean>(() => {})); // never answers: the process died
      const sent: string[] = [];
      const survivor = instance(make(shared), async (clientId, _a, sid) => {
        sent.push(`${clientId}/${sid}`);
        return true;
      });
      void dying.deliverer.deliver(job);
      await sleep(50);
      await survivor.deliverer.poll();
      expect(sent).toEqual([]); // the lease still holds
      await pollUntil([survivor.deliverer], () => sent.length > 0);
      await sleep(50);
      await survivor.deliverer.poll();
      expect(sent).toEqual(['app-a/sid-1']);
      expect(survivor.outcomes()).toEqual(['delivered#2*']);
      expect(await make(shared).pending()).toEqual([]);
    });

    it('delivers a claimed retry exactly once more when the claiming instance dies before answering (issue 18)', async () => {
      const shared = name();
      const queue = make(shared);
      let first = true;
      const a = instance(queue, async () => {
        if (first) {
          first = false;
          throw new Error('expected 200 OK, got: 500 Internal Server Error');
        }
        return true;
      });
      await a.deliverer.deliver(job);
      await sleep(150);
      // The old code removed the job here (ZREM) and lost it with the instance: now the claim is a
      // lease, and the instance "dies" holding it (it never settles).
      let held = await make(shared).claim(10, LEASE_MS);
      for (let i = 0; held.length === 0 && i < 40; i++) {
        await sleep(25);
        held = await make(shared).claim(10, LEASE_MS);
      }
      expect(held.map((h) => h.job.attempt)).toEqual([2]);
      const sent: number[] = [];
      const b = instance(make(shared), async () => {
        sent.push(Date.now());
        return true;
      });
      await b.deliverer.poll();
      expect(sent).toEqual([]);
      const deliveredByA = () => a.outcomes().filter((o) => o.startsWith('delivered')).length;
      await pollUntil([b.deliverer, a.deliverer], () => sent.length + deliveredByA() > 0);
      await sleep(50);
      await Promise.all([b.deliverer.poll(), a.deliverer.poll()]);
      expect(sent.length + a.outcomes().filter((o) => o.startsWith('delivered')).length).toBe(1);
      expect(await queue.pending()).toEqual([]);
    });

    it('abandons a job whose attempts keep going unanswered, after one takeover beyond the schedule', async () => {
      const shared = name();
      const hang = () => new Promise<boolean>(() => {}); // every holder dies during its attempt
      let attempts = 1;
      const first = instance(make(shared), hang, [50]);
      void first.deliverer.deliver(job);
      // A new instance each round: the previous one is "dead", stuck in its attempt. Each round
      // polls until it has claimed the job (its lease ran out) or 2 s have passed.
      const rounds = Array.from({ length: 3 }, () =>
        instance(
          make(shared),
          async () => {
            attempts++;
            return hang();
          },
          [50],
        ),
      );
      for (const next of rounds) {
        const before = attempts;
        const until = Date.now() + 2_000;
        while (attempts === before && next.events.length === 0 && Date.now() < until) await Promise.race([next.deliverer.poll(), sleep(25)]);
      }
      const last = rounds[2]!;
      expect(attempts).toBe(3);
      expect(last.outcomes()).toEqual(['abandoned#4']);
      expect(last.events[0]?.error).toMatch(/^gave up after 3 attempts, the last ones unanswered/);
      expect(await make(shared).pending()).toEqual([]);
      expect(await make(shared).failed()).toEqual([expect.objectContaining({ job: expect.objectContaining({ attempt: 3 }), error: expect.stringMatching(/^gave up after 3 attempts/) })]);
    });

    it('lets several polling instances deliver every due job exactly once', async () => {
      const shared = name();
      const sent = new Map<string, number>();
      const send: SendLogoutToken = async (_c, _a, sid) => {
        sent.set(sid, (sent.get(sid) ?? 0) + 1);
        await sleep(5);
        return true;
      };
      const seeder = instance(make(shared), async () => {
        throw new Error('503');
      }, [20]);
      await Promise.all(Array.from({ length: 25 }, (_, i) => seeder.deliverer.deliver({ ...job, sid: `sid-${i}` })));
      await sleep(60);
      const pollers = [instance(make(shared), send), instance(make(shared), send), instance(make(shared), send)];
      for (let round = 0; round < 3; round++) await Promise.all(pollers.map((p) => p.deliverer.poll()));
      expect(sent.size).toBe(25);
      expect([...sent.values()].every((n) => n === 1)).toBe(true);
      expect(await make(shared).pending()).toEqual([]);
    });

    it('delivers a failed delivery an operator retried, as a fresh attempt with the full schedule', async () => {
      const queue = make(name());
      let up = false;
      const sent: number[] = [];
      const a = instance(
        queue,
        async () => {
          if (!up) throw new Error('expected 200 OK from https://app-a.test/bc, got: 500 Internal Server Error');
          sent.push(Date.now());
          return true;
        },
        [20],
      );
      await a.deliverer.deliver(job);
      await pollUntil([a.deliverer], () => a.events.length === 3);
      const [failed] = await queue.failed();
      expect(failed?.job.attempt).toBe(2);
      up = true;
      expect(await queue.requeue(failed!.job.id)).toMatchObject({ from: 'failed', job: { id: failed!.job.id, attempt: 1 } });
      await pollUntil([a.deliverer], () => sent.length > 0);
      expect(sent).toHaveLength(1);
      expect(a.outcomes()).toEqual(['failed#1', 'failed#2', 'abandoned#2', 'delivered#1']);
      expect(await queue.pending()).toEqual([]);
      expect(await queue.failed()).toEqual([]);
    });

    it('refuses a delivery it cannot store (the caller sees the store error)', async () => {
      const queue = make(name());
      const broken: BackchannelQueue = { ...queue, addLeased: async () => Promise.reject(new Error('store down')) };
      let sent = 0;
      const a = instance(broken, async () => {
        sent++;
        return true;
      });
      await expect(a.deliverer.deliver(job)).rejects.toThrow('store down');
      expect(sent).toBe(0);
    });

    describe('each attempt a span of the logout’s trace', () => {
      const exporter = new InMemorySpanExporter();
      const tracer = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }).getTracer('test');
      afterEach(() => exporter.reset());
      const deliveries = () => exporter.getFinishedSpans().filter((s) => s.name === 'POST backchannel_logout');
      /** Runs `fn` inside a request whose span is `span` (a sampled logout request, unless said otherwise). */
      const inRequest = <T>(fn: () => T, span = tracer.startSpan('POST /admin/users/:id/disable', { kind: SpanKind.SERVER })) => {
        const request = new HubRequest('req-1');
        request.trace = { span, tracer };
        return { span, result: runHubRequest(fn, request) };
      };
      const failure = (status: number) =>
        Object.assign(new Error(`expected 200 OK from https://app-a.test/bc?tenant=secret-tenant, got: ${status}`), { response: { status } });

      it('records the request’s trace context with the job, parents every attempt on it and sends a traceparent naming the attempt', async () => {
        const queue = make(name());
        const posted: (Readonly<Record<string, string>> | undefined)[] = [];
        let stored: unknown;
        const a = instance(
          queue,
          async (_c, _a, _s, headers) => {
            stored ??= (await queue.pending())[0];
            posted.push(headers);
            if (posted.length === 1) throw failure(503);
            return true;
          },
          [50],
          tracer,
        );
        const { span: logout, result } = inRequest(() => a.deliverer.deliver(job));
        await result;
        logout.end();
        await pollUntil([a.deliverer], () => posted.length === 2);
        const { traceId, spanId } = logout.spanContext();
        // Stored: the two W3C strings of the logout's span, and nothing else of the trace.
        expect(stored).toEqual({ ...job, id: expect.any(String), trace: { traceparent: `00-${traceId}-${spanId}-01` } });

        const spans = deliveries();
        expect(spans).toHaveLength(2);
        for (const [i, span] of spans.entries()) {
          expect(span.kind).toBe(SpanKind.CLIENT);
          expect(span.spanContext().traceId).toBe(traceId);
          expect(span.parentSpanContext?.spanId).toBe(spanId);
          expect(posted[i]).toEqual({ traceparent: `00-${traceId}-${span.spanContext().spanId}-01` });
        }
        expect(spans[0]!.attributes).toEqual({
          'http.request.method': 'POST',
          'ssohub.client_id': 'app-a',
          'ssohub.backchannel.attempt': 1,
          'ssohub.backchannel.outcome': 'failed',
          'http.response.status_code': 503,
        });
        expect(spans[0]!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'HTTP 503' });
        expect(spans[1]!.attributes).toEqual({ 'http.request.method': 'POST', 'ssohub.client_id': 'app-a', 'ssohub.backchannel.attempt': 2, 'ssohub.backchannel.outcome': 'delivered' });
        expect(spans[1]!.status.code).toBe(SpanStatusCode.UNSET);
        // Neither the endpoint (its query), the sid, the user nor a token.
        const shown = JSON.stringify(spans.map((s) => [s.name, s.attributes, s.status, s.events]));
        for (const secret of ['secret-tenant', 'app-a.test', 'sid-1', 'ada', 'logout_token']) expect(shown).not.toContain(secret);
      });

      it('keeps the trace through the failed record and "retry now", and passes tracestate on', async () => {
        const queue = make(name());
        const posted: (Readonly<Record<string, string>> | undefined)[] = [];
        let up = false;
        const a = instance(
          queue,
          async (_c, _a, _s, headers) => {
            posted.push(headers);
            if (!up) throw Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
            return true;
          },
          [],
          tracer,
        );
        const parent = trace.setSpanContext(ROOT_CONTEXT, {
          traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
          spanId: '00f067aa0ba902b7',
          traceFlags: 1,
          isRemote: true,
          traceState: new TraceState('vendor=a1'),
        });
        const { span: logout, result } = inRequest(() => a.deliverer.deliver(job), tracer.startSpan('GET provider:end_session', { kind: SpanKind.SERVER }, parent));
        await result;
        logout.end();
        const [failed] = await queue.failed();
        expect(failed?.job.trace).toEqual({ traceparent: `00-4bf92f3577b34da6a3ce929d0e0e4736-${logout.spanContext().spanId}-01`, tracestate: 'vendor=a1' });
        up = true;
        await queue.requeue(failed!.job.id);
        await pollUntil([a.deliverer], () => posted.length === 2);
        const spans = deliveries();
        expect(spans.map((s) => [s.attributes['ssohub.backchannel.outcome'], s.status.message])).toEqual([
          ['abandoned', 'ECONNREFUSED'],
          ['delivered', undefined],
        ]);
        expect(spans.every((s) => s.parentSpanContext?.spanId === logout.spanContext().spanId)).toBe(true);
        expect(posted[1]).toEqual({ traceparent: `00-4bf92f3577b34da6a3ce929d0e0e4736-${spans[1]!.spanContext().spanId}-01`, tracestate: 'vendor=a1' });
      });

      it('records nothing for a logout outside a trace or not sampled, and opens no span for a job without a context', async () => {
        const queue = make(name());
        const posted: unknown[][] = [];
        const a = instance(
          queue,
          async (...args) => {
            posted.push(args);
            return true;
          },
          [100],
          tracer,
        );
        let stored: unknown[] = [];
        const b = instance(
          queue,
          async () => {
            stored = stored.concat(await queue.pending());
            return true;
          },
          [100],
          tracer,
        );
        await a.deliverer.deliver(job);
        const notSampled = tracer.startSpan('GET provider:end_session', { kind: SpanKind.SERVER }, trace.setSpanContext(ROOT_CONTEXT, { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 0, isRemote: true }));
        await inRequest(() => a.deliverer.deliver(job), notSampled).result;
        await b.deliverer.deliver(job);
        await inRequest(() => b.deliverer.deliver(job), notSampled).result;
        expect(posted).toEqual([
          ['app-a', 'ada', 'sid-1'],
          ['app-a', 'ada', 'sid-1'],
        ]);
        expect(stored).toHaveLength(2);
        expect(stored.every((j) => !Object.keys(j as object).includes('trace'))).toBe(true);
        expect(exporter.getFinishedSpans()).toEqual([]);
      });

      it('opens no span and sends no traceparent while tracing is off in this process', async () => {
        const queue = make(name());
        const posted: unknown[][] = [];
        // Queued by an instance with tracing on, attempted by one with it off.
        const traced = instance(queue, async () => {
          throw failure(500);
        }, [20], tracer);
        const untraced = instance(queue, async (...args) => {
          posted.push(args);
          return true;
        });
        await inRequest(() => traced.deliverer.deliver(job)).result;
        exporter.reset();
        await pollUntil([untraced.deliverer], () => posted.length === 1);
        expect(posted).toEqual([['app-a', 'ada', 'sid-1']]);
        expect(deliveries()).toEqual([]);
      });
    });
  });
}
