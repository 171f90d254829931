import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { compareWithBaseline } from './baseline.ts';
import { renderSarif } from './render-sarif.ts';
import { sampleReport } from '../../test/isolation-sample-report.ts';

// The SARIF output validated against the SARIF 2.1.0 JSON schema (OASIS 2.1.0, as shipped by
// @microsoft/jest-sarif: sarif-2.1.0-rtm.5.json, JSON Schema draft-04). Ajv 8 speaks draft-06 and
// later; the schema uses no draft-04 keyword whose meaning changed (no boolean exclusiveMinimum),
// so it compiles once its draft-04 `id` is renamed `$id` and the meta-schema line dropped. Its
// language pattern (`^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`) is valid only without the regex
// `u` flag, as in the JavaScript of its authors, hence unicodeRegExp: false.
const require = createRequire(import.meta.url);
const schema = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json') as Record<string, unknown>;

function validator() {
  const { $schema: _draft04, id, ...rest } = schema;
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats.default(ajv);
  return ajv.compile({ $id: String(id), ...rest });
}

describe('renderSarif', () => {
  const validate = validator();

  it('validates against the SARIF 2.1.0 schema', () => {
    const sarif = JSON.parse(renderSarif(sampleReport()));
    const ok = validate(sarif);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('validates with a baseline too (baselineState on each result)', () => {
    const report = sampleReport();
    report.baseline = compareWithBaseline(report, { checks: [{ id: 'hub.redirect-uri.exact', target: report.checks[1]!.target, verdict: 'pass' }] }, 'before.json');
    const sarif = JSON.parse(renderSarif(report));
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
    expect(sarif.runs[0].results.map((r: { ruleId: string; baselineState: string }) => [r.ruleId, r.baselineState])).toEqual([
      ['hub.redirect-uri.exact', 'updated'],
      ['client.auth-method', 'new'],
      ['client.auth-method', 'new'],
      ['hub.code.single-use', 'new'],
    ]);
  });

  it('is a schema-invalid document the validator refuses when broken (the validation is real)', () => {
    const sarif = JSON.parse(renderSarif(sampleReport()));
    sarif.runs[0].results[0].level = 'critical';
    expect(validate(sarif)).toBe(false);
  });

  it('has one run whose rules are the checks with severity and help, and results for fails and inconclusive checks only', () => {
    const sarif = JSON.parse(renderSarif(sampleReport()));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs).toHaveLength(1);
    const run = sarif.runs[0];
    expect(run.tool.driver.name).toBe('ssohub audit isolation');
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(['hub.pkce.required', 'hub.redirect-uri.exact', 'client.auth-method', 'hub.code.single-use', 'hub.headers.hsts']);
    const exact = run.tool.driver.rules[1];
    expect(exact).toMatchObject({ defaultConfiguration: { level: 'error' }, properties: { severity: 'critical', 'security-severity': '9.5' } });
    expect(exact.help.text).toMatch(/exact string comparison/);
    const results = run.results as { ruleId: string; ruleIndex: number; kind: string; level: string; message: { text: string }; locations: { physicalLocation?: { artifactLocation: { uri: string } }; logicalLocations: { name: string }[] }[] }[];
    expect(results.map((r) => [r.ruleId, r.kind, r.level])).toEqual([
      ['hub.redirect-uri.exact', 'fail', 'error'],
      ['client.auth-method', 'fail', 'note'],
      ['client.auth-method', 'fail', 'note'],
      ['hub.code.single-use', 'open', 'none'],
    ]);
    expect(results[0]!.ruleIndex).toBe(1);
    expect(results[0]!.locations[0]!.physicalLocation!.artifactLocation.uri).toBe('http://login.localhost:4000/oidc/auth');
    // A check on a client (no URL) has a logical location only.
    expect(results[1]!.locations[0]).toEqual({ logicalLocations: [{ name: 'client shop', kind: 'resource' }] });
    expect(results[3]!.message.text).toMatch(/To run it: Give --test-user\./);
    expect(run.properties.context.hubMode).toBe('development');
  });

  it('redacts secrets in location URLs', () => {
    const report = sampleReport();
    report.checks[1]!.urls = ['http://login.localhost:4000/oidc/auth?client_id=app-a&state=s3cr3t&code=abc'];
    const text = renderSarif(report);
    expect(text).not.toContain('s3cr3t');
    expect(text).toContain('state=[redacted]');
  });
});
