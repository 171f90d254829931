/**
 * Reading the bridge, each file's first comment says what it owns (issue 24): its responsibility,
 * stated once, before the imports, where a reader opening the file meets it first. A new file
 * without one fails here, named.
 *
 * Every `.ts` file under packages/hub/src/bridge counts, except tests (`*.test.ts`) and the
 * contract suites they share (`*-contract.ts`): the first text of the file, blank lines aside,
 * must be a `/**` block comment holding at least one sentence (words ending in `.`, `!` or `?`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BRIDGE = fileURLToPath(new URL('../../packages/hub/src/bridge/', import.meta.url));

/** The bridge's source files that need a header (paths relative to packages/hub/src/bridge). */
function bridgeSources(): string[] {
  return (readdirSync(BRIDGE, { recursive: true }) as string[])
    .map((f) => f.split('\\').join('/'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('-contract.ts'))
    .sort();
}

/** Why the file's header does not count, or undefined when it does. */
function headerProblem(text: string): string | undefined {
  const start = text.replace(/^\uFEFF/, '').trimStart();
  if (!start.startsWith('/**')) return 'does not start with a /** block comment';
  const end = start.indexOf('*/', 3);
  if (end === -1) return 'its first /** comment is never closed';
  const body = start
    .slice(3, end)
    .split('\n')
    .map((line) => line.replace(/^\s*\*?\s?/, ''))
    .join(' ');
  if (!/[A-Za-z][^.!?]*[.!?](\s|$)/.test(body.trim())) return 'its first comment holds no sentence';
  return undefined;
}

describe('the headers of packages/hub/src/bridge (issue 24)', () => {
  const files = bridgeSources();

  it('reads every source file of the bridge, and only those', () => {
    expect(files.length).toBeGreaterThan(30);
    expect(files).toContain('create-bridge.ts');
    expect(files).toContain('sessions/session-checks.ts');
    expect(files.some((f) => f.endsWith('.test.ts') || f.endsWith('-contract.ts'))).toBe(false);
  });

  it('tells a header from what is not one', () => {
    expect(headerProblem('/**\n * Owns the bridge.\n */\nimport x from "y";\n')).toBeUndefined();
    expect(headerProblem('\n\n/** Owns the bridge. */\n')).toBeUndefined();
    expect(headerProblem('import x from "y";\n/** Owns the bridge. */\n')).toBeDefined();
    expect(headerProblem('// Owns the bridge.\nimport x from "y";\n')).toBeDefined();
    expect(headerProblem('/* Owns the bridge. */\n')).toBeDefined();
    expect(headerProblem('/**\n * @file\n */\n')).toBeDefined();
    expect(headerProblem('/** Owns the bridge\n')).toBeDefined();
  });

  it('starts every file with a /** comment that says what the file owns', () => {
    const missing = files.flatMap((file) => {
      const problem = headerProblem(readFileSync(join(BRIDGE, file), 'utf8'));
      return problem ? [`${file}: ${problem}`] : [];
    });
    expect(
      missing,
      `files under packages/hub/src/bridge without a header; start each with a /** comment saying what it owns (see create-bridge.ts, sessions/session-checks.ts):\n  ${missing.join('\n  ')}`,
    ).toEqual([]);
  });
});
