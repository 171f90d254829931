import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyDsn } from './classify-dsn.ts';

// The doctor prints DSNs: whatever the password, the printed form must not contain it. Passwords
// are drawn from every printable character a DSN can carry in that position, `@`, `:`, `/` and
// `?` included; they are long enough (6+) that they cannot appear in the rest of the DSN by chance.
const password = fc.string({ minLength: 6, maxLength: 40, unit: fc.constantFrom(...'abcXYZ0189!#$%&*+-=@:._~^()[]{}|;,<>'.split('')) });

describe('classifyDsn never prints the password (property)', () => {
  it('PostgreSQL and CockroachDB, percent-encoded as a URL requires', () => {
    fc.assert(
      fc.property(password, fc.constantFrom('postgres', 'postgresql', 'cockroach'), (pw, scheme) => {
        const encoded = encodeURIComponent(pw);
        const { redacted } = classifyDsn(`${scheme}://kratos:${encoded}@db.internal:5432/kratos?sslmode=require`);
        expect(redacted).not.toContain(pw);
        expect(redacted).not.toContain(encoded);
      }),
      { numRuns: 500 },
    );
  });

  it('MySQL, in go-sql-driver form, where the password is written as is (`@` and `:` included)', () => {
    fc.assert(
      fc.property(password.filter((pw) => !pw.includes('/') && !pw.includes('?')), (pw) => {
        const c = classifyDsn(`mysql://kratos:${pw}@tcp(db.internal:3306)/kratos?parseTime=true`);
        expect(c.redacted).not.toContain(pw);
        expect(c.redacted).toBe('mysql://kratos:***@tcp(db.internal:3306)/kratos?parseTime=true');
        expect(c.problems).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('anything else (unparseable or unknown schemes) never shows a user:password@ part', () => {
    fc.assert(
      fc.property(password, fc.constantFrom('redis', 'mongodb', 'http', 'postgres'), (pw, scheme) => {
        // Not percent-encoded: for postgres this may not parse as a URL at all.
        const { redacted } = classifyDsn(`${scheme}://kratos:${pw}@db/kratos`);
        expect(redacted).not.toContain(pw);
      }),
      { numRuns: 500 },
    );
  });
});
