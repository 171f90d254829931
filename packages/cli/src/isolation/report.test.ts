import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sampleReport } from '../../test/isolation-sample-report.ts';
import { Findings } from './audit-context.ts';
import { CheckCannotRun } from './audit-http.ts';
import { compareWithBaseline, parseBaseline } from './baseline.ts';
import { CHECKS } from './check-catalogue.ts';
import { renderHtml, renderMarkdown, renderText } from './render-report.ts';
import { atOrAbove, reportFailed } from './report.ts';

describe('severities and --fail-on', () => {
  it('orders critical > high > medium > low > info', () => {
    expect(atOrAbove('critical', 'high')).toBe(true);
    expect(atOrAbove('high', 'high')).toBe(true);
    expect(atOrAbove('medium', 'high')).toBe(false);
    expect(atOrAbove('info', 'low')).toBe(false);
  });

  it('fails a run on a failure at or above the threshold only; inconclusive and skipped never count', () => {
    const report = sampleReport(); // fails: critical, low, info; one inconclusive, one skipped
    expect(reportFailed(report)).toBe(true); // default low
    expect(reportFailed(report, 'critical')).toBe(true);
    report.checks = report.checks.filter((c) => c.id !== 'hub.redirect-uri.exact');
    expect(reportFailed(report, 'medium')).toBe(false);
    expect(reportFailed(report, 'low')).toBe(true);
    report.checks = report.checks.filter((c) => c.severity === 'info' || c.verdict !== 'fail');
    expect(reportFailed(report, 'low')).toBe(false);
    expect(reportFailed(report, 'info')).toBe(true);
    expect(reportFailed(report, 'none')).toBe(false);
  });
});

describe('Findings', () => {
  it('records an exception as inconclusive (never a failure), with how to make the check run', async () => {
    const f = new Findings();
    await f.run('hub.code.single-use', 't', 'Codes are single-use', 'why', async () => {
      throw new CheckCannotRun('the test user could not sign in', 'Check --test-user.');
    });
    await f.run('hub.refresh.rotation', 't', 'Refresh rotates', 'why', async () => {
      throw new Error('boom');
    });
    expect(f.checks.map((c) => [c.verdict, c.detail, c.howToRun])).toEqual([
      ['inconclusive', 'The check could not complete: the test user could not sign in', 'Check --test-user.'],
      ['inconclusive', 'The check could not complete: boom', 'Fix what the detail names and run the audit again.'],
    ]);
  });

  it('gives each check the severity of the catalogue unless a finding says otherwise', () => {
    const f = new Findings();
    f.add('hub.redirect-uri.exact', 't', 'x', 'fail', 'd', 'w');
    f.add('client.auth-method', 't', 'x', 'fail', 'd', 'w', [], { severity: 'info' });
    expect(f.checks.map((c) => c.severity)).toEqual(['critical', 'info']);
  });

  it('does not run a check named by --skip (by id or by prefix) and reports it skipped', async () => {
    const f = new Findings(undefined, ['hub.pkce.required', 'app.backchannel.']);
    let ran = false;
    await f.run('hub.pkce.required', 't', 'x', 'w', async () => {
      ran = true;
      return { verdict: 'fail', detail: 'd' };
    });
    f.add('app.backchannel.refuses-replay', 't', 'x', 'fail', 'd', 'w');
    f.add('app.session-cookie', 't', 'x', 'pass', 'd', 'w');
    expect(ran).toBe(false);
    expect(f.checks.map((c) => [c.id, c.verdict, c.detail])).toEqual([
      ['hub.pkce.required', 'skipped', 'turned off with --skip'],
      ['app.backchannel.refuses-replay', 'skipped', 'turned off with --skip'],
      ['app.session-cookie', 'pass', 'd'],
    ]);
  });
});

describe('the check catalogue', () => {
  it('lists every check id the audit can emit, each with a help text', async () => {
    const dir = new URL('.', import.meta.url).pathname;
    const files = [...(await readdir(dir)).map((n) => join(dir, n)), ...(await readdir(join(dir, 'checks'))).map((n) => join(dir, 'checks', n))].filter((p) => p.endsWith('.ts') && !p.endsWith('.test.ts'));
    const ids = new Set<string>();
    for (const file of files) {
      for (const m of (await readFile(file, 'utf8')).matchAll(/'((?:hub|app|client|registry|session|logout)\.[a-z0-9-]+(?:\.[a-z0-9-]+)*)'/g)) ids.add(m[1]!);
    }
    expect(ids.size).toBeGreaterThan(25);
    expect([...ids].filter((id) => !CHECKS[id])).toEqual([]);
    expect(Object.entries(CHECKS).filter(([, c]) => c.help.length < 20)).toEqual([]);
  });
});

describe('--baseline', () => {
  it('reports new failures, fixed checks, other verdict changes, new and vanished checks', () => {
    const report = sampleReport();
    const t = report.checks[1]!.target;
    const diff = compareWithBaseline(
      report,
      {
        startedAt: '2026-12-01T00:00:00.000Z',
        checks: [
          { id: 'hub.pkce.required', target: report.checks[0]!.target, verdict: 'fail' },
          { id: 'hub.redirect-uri.exact', target: t, verdict: 'pass' },
          { id: 'hub.code.single-use', target: 'http://login.localhost:4000', verdict: 'pass' },
          // An earlier report's "warn" compares as a failure, its "skip" as inconclusive.
          { id: 'client.auth-method', target: 'client shop', verdict: 'warn' },
          { id: 'hub.headers.hsts', target: 'http://login.localhost:4000', verdict: 'skip' },
          { id: 'hub.headers.security', target: 'http://login.localhost:4000', verdict: 'pass' },
        ],
      },
      'before.json',
    );
    expect(diff.newFails.map((l) => [l.id, l.from, l.to])).toEqual([
      ['hub.redirect-uri.exact', 'pass', 'fail'],
      ['client.auth-method', 'absent', 'fail'],
    ]);
    expect(diff.fixed.map((l) => l.id)).toEqual(['hub.pkce.required']);
    expect(diff.changed.map((l) => [l.id, l.from, l.to])).toEqual([
      ['hub.code.single-use', 'pass', 'inconclusive'],
      ['hub.headers.hsts', 'inconclusive', 'skipped'],
    ]);
    expect(diff.removed.map((l) => l.id)).toEqual(['hub.headers.security']);
    expect(diff.startedAt).toBe('2026-12-01T00:00:00.000Z');
  });

  it('refuses a file that is not a JSON report, naming the problem', () => {
    expect(() => parseBaseline('<html>')).toThrow('is not JSON (write one with --format json)');
    expect(() => parseBaseline('{"runs": []}')).toThrow(/no checks with id, target and verdict/);
    expect(parseBaseline(JSON.stringify({ checks: [{ id: 'a', target: 'b', verdict: 'pass' }] })).checks).toHaveLength(1);
  });
});

describe('renderers', () => {
  it('text: totals with fails by severity, the run context, then what did not pass with how to make it run', () => {
    const text = renderText(sampleReport());
    expect(text).toMatch(/^Session-isolation audit of http:\/\/login\.localhost:4000\n1 passed, 3 failed \(1 critical, 1 low, 1 info\), 1 inconclusive, 1 skipped\n/);
    expect(text).toMatch(/hub mode: {6}development/);
    expect(text).toMatch(/options: {7}--hub http:\/\/login\.localhost:4000; --token \[redacted\]/);
    expect(text).toMatch(/FAIL critical hub\.redirect-uri\.exact/);
    expect(text).toMatch(/INCONCLUSIVE {2}hub\.code\.single-use .*\n {16}Needs a test user\.\n {16}to run it: Give --test-user\./);
    expect(text.indexOf('FAIL critical')).toBeLessThan(text.indexOf('INCONCLUSIVE  hub'));
  });

  it('markdown and HTML carry the run context, severities, the baseline and (HTML) a print stylesheet', () => {
    const report = sampleReport();
    report.baseline = compareWithBaseline(report, { checks: [] }, 'before.json');
    const md = renderMarkdown(report);
    expect(md).toMatch(/\| hub version \| unknown \|/);
    expect(md).toMatch(/\| FAIL critical \| `hub\.redirect-uri\.exact`/);
    expect(md).toMatch(/## Since the baseline before\.json/);
    expect(md).toMatch(/\*To run it:\* Give --test-user\./);
    const html = renderHtml(report);
    expect(html).toMatch(/@media print\{/);
    expect(html).toMatch(/@page\{size:A4/);
    expect(html).toContain('data-verdict="inconclusive" data-severity="high"');
    expect(html).toContain('<span class="pill inconclusive">1 inconclusive</span>');
    expect(html).toContain('data-testid="run-context"');
    expect(html).toContain('data-testid="baseline"');
    expect(html).not.toMatch(/>FAIL</); // every failure shows its severity
  });
});
