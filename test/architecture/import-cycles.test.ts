/**
 * The hub's modules import one another without a cycle (issue 24). A cycle makes the load order
 * decide which module sees the other's exports still uninitialized, and it ties modules together
 * that should be read, tested and changed apart: config/hub-config.ts and the sections' checkers
 * (bridge/bridge-config.ts, guard/guard-config.ts) once imported each other through DeepPartial.
 *
 * The graph is every `.ts` file under packages/hub/src with the imports it names in its own
 * statements: `import`, `import type`, `export … from`. Type-only imports count as well: they
 * leave no trace at run time, but a circle of them is still the tangle the issue is about.
 * `import()` calls do not count: they run later, on purpose (cluster.ts loads app.ts in a worker).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../packages/hub/src/', import.meta.url));

/**
 * Cycles tolerated while issue 24 removes them, each as the files around it (paths under
 * packages/hub/src), e.g. `['bridge/logout/backchannel-queue.ts', 'bridge/logout/redis-backchannel-queue.ts']`,
 * the last one outside config/, gone with bridge/logout/create-backchannel-queue.ts. Empty now. The
 * test fails on any import that closes a cycle not listed here and on an entry that no longer is
 * one, so the list can only shrink.
 */
const KNOWN_CYCLES: readonly (readonly string[])[] = [];

type Graph = Map<string, string[]>;

/** Every .ts file under packages/hub/src (paths relative to it) with the files it imports. */
function importGraph(): { graph: Graph; unresolved: string[] } {
  const graph: Graph = new Map();
  const unresolved: string[] = [];
  const files = (readdirSync(SRC, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => f.split('\\').join('/'));
  for (const file of files.sort()) {
    const source = ts.createSourceFile(file, readFileSync(join(SRC, file), 'utf8'), ts.ScriptTarget.Latest);
    const imports: string[] = [];
    for (const statement of source.statements) {
      let specifier: ts.Expression | undefined;
      if (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) specifier = statement.moduleSpecifier;
      else if (ts.isImportEqualsDeclaration(statement) && ts.isExternalModuleReference(statement.moduleReference)) specifier = statement.moduleReference.expression;
      if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith('.')) continue;
      const target = resolve(SRC, dirname(file), specifier.text);
      const path = relative(SRC, target).split('\\').join('/');
      // Files outside src (the package's test helpers) are not part of the hub's graph.
      if (path.startsWith('../')) continue;
      if (existsSync(target)) imports.push(path);
      else unresolved.push(`${file} imports ${specifier.text}`);
    }
    graph.set(file, [...new Set(imports)]);
  }
  return { graph, unresolved };
}

/** The strongly connected components with a cycle: each file in one can reach every other. */
function cyclicComponents(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)!.includes(v)) out.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

/** The imports that lie on a cycle, as `from → to`. */
function cyclicEdges(graph: Graph): string[] {
  const edges: string[] = [];
  for (const component of cyclicComponents(graph)) {
    const inside = new Set(component);
    for (const from of component) for (const to of graph.get(from)!) if (inside.has(to)) edges.push(`${from} → ${to}`);
  }
  return edges.sort();
}

/** The shortest cycle through the import `from → to`, as the files around it, starting at `from`. */
function shortestCycle(graph: Graph, from: string, to: string): string[] {
  const previous = new Map<string, string>([[to, '']]);
  const queue = [to];
  while (queue.length > 0) {
    const v = queue.shift()!;
    if (v === from) break;
    for (const w of graph.get(v)!) {
      if (previous.has(w)) continue;
      previous.set(w, v);
      queue.push(w);
    }
  }
  const path: string[] = [];
  for (let v = from; v !== ''; v = previous.get(v)!) path.unshift(v);
  return [from, ...path.slice(0, -1)];
}

/** One line per cycle through each import: `a.ts → b.ts → a.ts`. */
function describeCycles(graph: Graph, edges: readonly string[]): string[] {
  const lines = edges.map((edge) => {
    const [from, to] = edge.split(' → ') as [string, string];
    const cycle = shortestCycle(graph, from, to);
    // The same cycle starts at its alphabetically first file, whichever of its imports found it.
    const first = cycle.indexOf([...cycle].sort()[0]!);
    const rotated = [...cycle.slice(first), ...cycle.slice(0, first)];
    return [...rotated, rotated[0]].join(' → ');
  });
  return [...new Set(lines)].sort();
}

const knownEdges = KNOWN_CYCLES.flatMap((cycle) => cycle.map((from, i) => `${from} → ${cycle[(i + 1) % cycle.length]}`));

describe('the import graph of packages/hub/src (issue 24)', () => {
  const { graph, unresolved } = importGraph();

  it('is read from every file, and every relative import resolves to a file', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('config/check-config.ts')).toContain('bridge/bridge-config.ts');
    expect(graph.get('bridge/bridge-config.ts')).toContain('config/deep-partial.ts');
    expect(unresolved).toEqual([]);
  });

  it('has no cycle besides the known ones, and none at all among the configuration modules', () => {
    const edges = cyclicEdges(graph);
    const found = describeCycles(graph, edges);
    const added = edges.filter((edge) => !knownEdges.includes(edge));
    expect(
      describeCycles(graph, added),
      `new import cycles; every cycle found:\n  ${found.join('\n  ')}\nBreak the new ones: move what both sides need into a module of its own that imports neither (as config/deep-partial.ts).`,
    ).toEqual([]);
    expect(edges.filter((edge) => /(^|→ )config\//.test(edge))).toEqual([]);
  });

  it('lists no known cycle that is gone, so the list only shrinks', () => {
    const edges = cyclicEdges(graph);
    const gone = knownEdges.filter((edge) => !edges.includes(edge));
    expect(gone, 'these imports no longer close a cycle: remove their cycle from KNOWN_CYCLES').toEqual([]);
  });
});
