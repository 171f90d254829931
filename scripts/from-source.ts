/**
 * Runs the repository's TypeScript sources without a build: `node --import ./scripts/from-source.ts …`.
 *
 * The workspace packages' `exports` point at their compiled `dist/` only, because that is what
 * their tarballs ship and what an app outside this repository resolves. In the repository, this
 * hook resolves `@ssohub/<package>[/<subpath>]` to the source file that compiles to the exported
 * one (`./dist/x.js` → `./src/x.ts`); Node strips the types when it loads them. Tests do the same
 * with vitest aliases (vitest.config.ts), TypeScript with `paths` (tsconfig.base.json).
 */
import { existsSync, readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const PACKAGES = new URL('../packages/', import.meta.url);
const SPECIFIER = /^@ssohub\/([a-z][a-z-]*)(\/[a-z][a-z-]*)?$/;
const sources = new Map<string, string | undefined>();

function sourceOf(name: string, subpath: string): string | undefined {
  const key = `${name}${subpath}`;
  if (sources.has(key)) return sources.get(key);
  let url: string | undefined;
  const dir = new URL(`${name}/`, PACKAGES);
  const manifest = new URL('package.json', dir);
  if (existsSync(manifest)) {
    const entry = JSON.parse(readFileSync(manifest, 'utf8')).exports?.[`.${subpath}`];
    const target: unknown = typeof entry === 'string' ? entry : entry?.default;
    if (typeof target === 'string' && target.startsWith('./dist/')) {
      url = new URL(target.replace(/^\.\/dist\//, './src/').replace(/\.js$/, '.ts'), dir).href;
    }
  }
  sources.set(key, url);
  return url;
}

registerHooks({
  resolve(specifier, context, nextResolve) {
    const match = SPECIFIER.exec(specifier);
    const url = match ? sourceOf(match[1]!, match[2] ?? '') : undefined;
    return url ? { url, shortCircuit: true } : nextResolve(specifier, context);
  },
});
