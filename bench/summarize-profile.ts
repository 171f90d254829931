/**
 * @file Summarizes V8 .cpuprofile files (from `BENCH_CPU_PROF=dir npm run bench`): self time by
 * function and by package, over every profile given, so hot spots of the hub's workers show at once.
 *
 *   npm exec -- node bench/summarize-profile.ts /tmp/prof/*.cpuprofile [top=25]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const top = Number(args.find((a) => /^top=\d+$/.test(a))?.slice(4) ?? 25);
const files = args.filter((a) => a.endsWith('.cpuprofile'));
const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
let total = 0;

function packageOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  const src = /packages\/([^/]+)\/(?:src|dist)\/([^/]+)/.exec(url);
  if (src) return `@ssohub/${src[1]}/${src[2]!.replace(/\.[jt]s$/, '')}`;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  return url;
}

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    const node = nodes.get(id);
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') return;
    total += dt;
    const short = url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/packages\//, 'packages/');
    const key = `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + dt);
    const pkg = packageOf(url, functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + dt);
  });
}

const show = (title: string, m: Map<string, number>) => {
  console.log(`\n${title} (busy ${total.toFixed(0)} ms over ${files.length} profile(s))`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((v / total) * 100).toFixed(1).padStart(5)}%  ${v.toFixed(0).padStart(7)} ms  ${k}`);
};
show('Self time by package', byPackage);
show('Self time by function', byFunction);
