import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type FuzzReport, renderFuzzReport, runFuzz } from './run-fuzz.ts';
import { FUZZ_SHORT, fuzzSeed } from './run.ts';
import { type FuzzStack, startFuzzStack } from './stack.ts';

// The short form of `npm run fuzz` (issue 19): 20,000 malformed requests over raw sockets to every
// route of the hub's public and admin listeners and of two SDK apps (Fastify and Express
// adapters), against real Kratos and Redis. The seed is printed; FUZZ_SEED replays a run.
let stack: FuzzStack;
let report: FuzzReport;
const seed = fuzzSeed();

beforeAll(async () => {
  console.info(`fuzz: seed ${seed} (replay: FUZZ_SEED=${seed} npx vitest run --project fuzz)`);
  stack = await startFuzzStack({ certs: { certPem: inject('certPem'), keyPem: inject('keyPem') }, redisUrl: inject('redisUrl') });
  report = await runFuzz(stack.targets, stack.logs, { seed, ...FUZZ_SHORT, out: (line) => console.info(line) });
  console.info(renderFuzzReport(report));
});

afterAll(async () => {
  await stack?.stop();
});

describe(`malformed requests at every route (seed ${seed})`, () => {
  it('sends all 20,000 requests to the hub, its admin listener and both SDK apps', () => {
    expect(report.requests).toBe(FUZZ_SHORT.requests);
    for (const target of ['hub', 'admin', 'app', 'express']) expect(report.byTarget[target] ?? 0).toBeGreaterThan(FUZZ_SHORT.requests / 20);
  });

  it('answers none with a 5xx', () => {
    expect(report.counts.serverErrors, renderFuzzReport(report)).toBe(0);
  });

  it('answers (or closes) every request within 5 s, and answers every well-framed one', () => {
    expect(report.counts.hangs, renderFuzzReport(report)).toBe(0);
    expect(report.counts.dropped, renderFuzzReport(report)).toBe(0);
  });

  it('writes no error-level log line', () => {
    expect(report.errorLines, renderFuzzReport(report)).toBe(0);
  });

  it('is still ready afterwards', () => {
    expect(report.healthyAfter).toBe(true);
  });
});
