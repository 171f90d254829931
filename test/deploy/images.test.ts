import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, matchesGlob, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// The two OCI image definitions, checked without a container engine (none runs on this machine):
// linted by dockerfile-utils (the Dockerfile validator behind the VS Code Docker extension), and
// read instruction by instruction to check what a build would need: every COPY source exists in
// the build context and is not excluded by .dockerignore, every --from names an earlier stage,
// the runtime stage runs as a non-root user with a health check, and the build matches what the
// repository builds and tests (deploy/kratos/build.sh, the `node` devDependency).

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}
interface Stage {
  name?: string;
  image: string;
  instructions: Instruction[];
}
interface Dockerfile {
  globalArgs: Record<string, string>;
  stages: Stage[];
}

/** Splits a Dockerfile into instructions: comments dropped, `\` continuations joined. */
function parseDockerfile(text: string): Dockerfile {
  const instructions: Instruction[] = [];
  const lines = text.split('\n');
  const at = (i: number) => lines[i] ?? '';
  for (let i = 0; i < lines.length; i++) {
    const first = at(i).trim();
    if (first === '' || first.startsWith('#')) continue;
    const start = i + 1;
    let joined = at(i);
    while (/\\\s*$/.test(joined) && i + 1 < lines.length) {
      i++;
      if (at(i).trim().startsWith('#')) continue;
      joined = joined.replace(/\\\s*$/, ' ') + at(i).trim();
    }
    const m = /^\s*(\w+)\s*(.*)$/s.exec(joined);
    if (m) instructions.push({ keyword: (m[1] ?? '').toUpperCase(), args: (m[2] ?? '').trim(), line: start });
  }
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const [image = '', as, name] = ins.args.replace(/^--platform=\S+\s+/, '').split(/\s+/);
      const resolved = image.replace(/\$\{?(\w+)\}?/g, (_, v: string) => globalArgs[v] ?? `<unset ${v}>`);
      stages.push({ image: resolved, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length === 0) {
      if (ins.keyword === 'ARG') {
        const [k = '', v = ''] = ins.args.split('=');
        globalArgs[k] = v;
      }
    } else {
      stages.at(-1)?.instructions.push(ins);
    }
  }
  return { globalArgs, stages };
}

/** COPY/ADD arguments: flags, sources and destination (JSON or shell form). */
function copyParts(args: string): { flags: Record<string, string>; sources: string[]; dest: string } {
  const flags: Record<string, string> = {};
  let rest = args;
  for (let m = /^--(\w[\w-]*)(?:=(\S+))?\s+/.exec(rest); m; m = /^--(\w[\w-]*)(?:=(\S+))?\s+/.exec(rest)) {
    flags[m[1] ?? ''] = m[2] ?? 'true';
    rest = rest.slice(m[0].length);
  }
  const parts = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(/\s+/);
  return { flags, sources: parts.slice(0, -1), dest: parts.at(-1) ?? '' };
}

function dockerignore(context: string): string[] {
  const file = join(context, '.dockerignore');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

function ignoredBy(patterns: string[], path: string): boolean {
  let ignored = false;
  for (const p of patterns) {
    const negated = p.startsWith('!');
    const pattern = (negated ? p.slice(1) : p).replace(/^\/+|\/+$/g, '');
    // A pattern excludes the path itself and everything below it, as in Docker's matcher.
    const segments = path.split('/');
    const hit = segments.some((_, i) => matchesGlob(segments.slice(0, i + 1).join('/'), pattern));
    if (hit) ignored = !negated;
  }
  return ignored;
}

/** Files a COPY source stands for in the context (a glob in the last segment is expanded). */
function expandSource(context: string, source: string): string[] {
  const clean = source.replace(/^\.?\//, '').replace(/\/$/, '') || '.';
  if (!/[*?[]/.test(clean)) return existsSync(join(context, clean)) ? [clean] : [];
  const dir = clean.includes('/') ? clean.slice(0, clean.lastIndexOf('/')) : '.';
  if (!existsSync(join(context, dir))) return [];
  return readdirSync(join(context, dir))
    .map((f) => (dir === '.' ? f : `${dir}/${f}`))
    .filter((f) => matchesGlob(f, clean));
}

interface ImageCase {
  file: string;
  context: string;
}
const HUB: ImageCase = { file: join(root, 'deploy/hub/Dockerfile'), context: root };
const KRATOS: ImageCase = { file: join(root, 'deploy/kratos/Dockerfile'), context: join(root, 'deploy/kratos') };

async function lint(text: string) {
  const linter = await import('dockerfile-utils').catch((err: Error) => {
    throw new Error(`the Dockerfile linter is not installed (devDependency dockerfile-utils@0.16.3; run npm ci): ${err.message}`);
  });
  return linter.validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
}

function stageAt(df: Dockerfile, index: number): Stage {
  const stage = df.stages.at(index);
  if (!stage) throw new Error(`no stage ${index}`);
  return stage;
}
const lastStage = (df: Dockerfile) => stageAt(df, -1);
const all = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);

describe.each([
  ['hub', HUB],
  ['kratos', KRATOS],
])('the %s image definition', (_name, image) => {
  const text = readFileSync(image.file, 'utf8');
  const df = parseDockerfile(text);

  it('passes the Dockerfile linter without a diagnostic', async () => {
    expect(await lint(text)).toEqual([]);
  });

  it('copies only paths that exist in its build context and that .dockerignore lets through', () => {
    const ignore = dockerignore(image.context);
    const names = new Set<string>();
    let copies = 0;
    for (const [index, stage] of df.stages.entries()) {
      for (const ins of stage.instructions.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')) {
        const { flags, sources } = copyParts(ins.args);
        if (flags.from) {
          // Between stages: the stage must be defined before this one.
          expect(names.has(flags.from) || Number(flags.from) < index, `line ${ins.line}: --from=${flags.from} is an earlier stage`).toBe(true);
          continue;
        }
        for (const source of sources) {
          copies++;
          const matched = expandSource(image.context, source);
          expect(matched, `line ${ins.line}: ${source} exists in ${relative(root, image.context) || '.'}`).not.toEqual([]);
          for (const path of matched) expect(ignoredBy(ignore, path), `line ${ins.line}: ${path} is not .dockerignored`).toBe(false);
        }
      }
      if (stage.name) names.add(stage.name);
    }
    expect(copies).toBeGreaterThan(0);
  });

  it('builds in one stage and runs from a slim final stage as a non-root user, with a health check', () => {
    expect(df.stages.length).toBeGreaterThanOrEqual(2);
    const runtime = lastStage(df);
    expect(all(runtime, 'COPY').some((c) => copyParts(c.args).flags.from)).toBe(true);
    const user = all(runtime, 'USER').at(-1)?.args.split(':')[0];
    expect(user, 'USER in the final stage').toBeDefined();
    expect(['root', '0']).not.toContain(user);
    const health = all(runtime, 'HEALTHCHECK');
    expect(health).toHaveLength(1);
    expect(health[0]?.args).toContain('/health/ready');
    expect(health[0]?.args).toMatch(/--interval=\d+s .*--timeout=\d+s/);
  });

  it('pins every base image to a tag (never latest)', () => {
    for (const stage of df.stages) {
      if (df.stages.some((s) => s.name === stage.image)) continue;
      expect(stage.image, stage.image).toMatch(/^[\w./-]+:[\w.-]+(@sha256:[0-9a-f]{64})?$/);
      expect(stage.image).not.toMatch(/:latest\b/);
    }
  });
});

describe('the hub image (deploy/hub/Dockerfile)', () => {
  const df = parseDockerfile(readFileSync(HUB.file, 'utf8'));
  const runtime = lastStage(df);
  const build = stageAt(df, 0);
  const runs = (stage: Stage) => all(stage, 'RUN').map((r) => r.args).join('\n');

  it('runs on the Node release the repository develops with, in Debian slim', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    for (const stage of df.stages) expect(stage.image).toBe(`node:${pkg.devDependencies.node}-bookworm-slim`);
  });

  it('copies every workspace manifest before npm ci, so the lockfile install sees the whole workspace', () => {
    const npmCi = build.instructions.findIndex((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args));
    expect(npmCi).toBeGreaterThan(0);
    const copied = build.instructions.slice(0, npmCi).flatMap((i) => (i.keyword === 'COPY' ? copyParts(i.args).sources : []));
    const manifests = readdirSync(join(root, 'packages'))
      .filter((p) => existsSync(join(root, 'packages', p, 'package.json')))
      .map((p) => `packages/${p}/package.json`);
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', ...manifests]));
  });

  it('builds and packs the publishable packages, and installs the hub and CLI tarballs without dev dependencies', () => {
    // The repository's own pack script (build, then `npm pack -w` of the three), as docs/deploy.md uses it.
    expect(runs(build)).toMatch(/npm run pack -- --out \/pack$/m);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.pack).toBe('node scripts/pack.ts');
    const pack = readFileSync(join(root, 'scripts/pack.ts'), 'utf8');
    expect(pack).toMatch(/\['@ssohub\/hub', '@ssohub\/cli', '@ssohub\/client'\]/);
    expect(pack).toMatch(/'pack'/);
    expect(runs(runtime)).toMatch(/npm install .*--omit=dev .*ssohub-hub-\*\.tgz .*ssohub-cli-\*\.tgz/);
    expect(all(runtime, 'USER').at(-1)?.args).toBe('node');
  });

  it('starts ssohub-hub, a bin of @ssohub/hub that its package ships', () => {
    expect(all(runtime, 'ENTRYPOINT').map((e) => JSON.parse(e.args))).toEqual([['ssohub-hub']]);
    const env = all(runtime, 'ENV').map((e) => e.args).join(' ');
    expect(env).toMatch(/PATH=\/app\/node_modules\/\.bin:\$PATH/);
    // Configuration is SSOHUB_* only.
    const keys = [...env.matchAll(/(?:^|\s)(\w+)=/g)].map((m) => m[1] ?? '');
    expect(keys.filter((k) => k !== 'PATH' && !k.startsWith('SSOHUB_'))).toEqual([]);
    const hubPkg = JSON.parse(readFileSync(join(root, 'packages/hub/package.json'), 'utf8')) as { bin?: Record<string, string>; files?: string[] };
    const bin = hubPkg.bin?.['ssohub-hub'];
    expect(bin, '@ssohub/hub declares the ssohub-hub bin').toBeDefined();
    const binPath = join(root, 'packages/hub', bin ?? '');
    expect(existsSync(binPath) && statSync(binPath).isFile(), `${bin} exists`).toBe(true);
    expect(hubPkg.files?.some((f) => (bin ?? '').replace(/^\.\//, '').startsWith(f.replace(/\/$/, ''))), `${bin} is in "files"`).toBe(true);
    expect(readFileSync(binPath, 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
  });

  it('keeps installed dependencies, build output, git data and secrets out of the build context', () => {
    const ignore = dockerignore(root);
    for (const path of ['node_modules', 'packages/client/node_modules', 'packages/hub/dist', '.git', '.cache', 'test-results', 'deploy/compose/secrets/jwks.json', '.env']) {
      expect(ignoredBy(ignore, path), path).toBe(true);
    }
    for (const path of ['package.json', 'package-lock.json', 'packages/hub/src/index.ts', 'packages/hub/package.json', 'tsconfig.base.json']) {
      expect(ignoredBy(ignore, path), path).toBe(false);
    }
  });
});

describe('the Kratos image (deploy/kratos/Dockerfile)', () => {
  const text = readFileSync(KRATOS.file, 'utf8');
  const df = parseDockerfile(text);
  const runtime = lastStage(df);

  it('compiles Kratos with the same version, tags, ldflags and cgo flags as deploy/kratos/build.sh', async () => {
    const script = readFileSync(join(root, 'deploy/kratos/build.sh'), 'utf8');
    // Let bash evaluate build.sh's own assignments rather than re-implementing its quoting.
    const assignments = script
      .split('\n')
      .filter((l) => /^(version|tags|ldflags)=/.test(l))
      .join('\n');
    const { stdout } = await run('bash', ['-c', `${assignments}\nprintf '%s\\n' "$version" "$tags" "$ldflags"`]);
    const [version, tags, ldflags] = stdout.split('\n');
    const build = stageAt(df, 0);
    const args = Object.fromEntries(
      all(build, 'ARG').map((a) => {
        const [k = '', v = ''] = a.args.split('=');
        return [k, v];
      }),
    );
    expect(args.KRATOS_VERSION).toBe(version);
    expect(args.KRATOS_TAGS).toBe(tags);
    const goBuild = all(build, 'RUN').find((r) => /go build/.test(r.args))?.args ?? '';
    const expanded = goBuild.replace(/\$\{(\w+)\}/g, (_, v: string) => args[v] ?? `<unset ${v}>`);
    expect(expanded).toContain(`-ldflags "${ldflags}"`);
    expect(expanded).toContain(`-tags "${tags}"`);
    expect(expanded).toContain('CGO_ENABLED=1');
    expect(script).toContain('CGO_CPPFLAGS="-DSQLITE_DEFAULT_FILE_PERMISSIONS=0600"');
    expect(expanded).toContain('CGO_CPPFLAGS="-DSQLITE_DEFAULT_FILE_PERMISSIONS=0600"');
    expect(expanded).toContain('-trimpath');
  });

  it('runs as uid 10000 on glibc Debian with CA certificates and the base config in /etc/kratos', () => {
    expect(stageAt(df, 0).image).toMatch(/^golang:1\.26[\w.-]*-bookworm$/);
    expect(runtime.image).toMatch(/^debian:bookworm-slim$/);
    expect(all(runtime, 'USER').at(-1)?.args).toBe('10000:10000');
    expect(all(runtime, 'RUN').map((r) => r.args).join(' ')).toMatch(/apt-get install -y --no-install-recommends ca-certificates/);
    const copies = all(runtime, 'COPY').map((c) => copyParts(c.args));
    expect(copies).toContainEqual({ flags: {}, sources: ['kratos.yml', 'identity.schema.json'], dest: '/etc/kratos/' });
    expect(copies).toContainEqual({ flags: { from: 'build' }, sources: ['/out/kratos'], dest: '/usr/local/bin/kratos' });
    expect(all(runtime, 'ENTRYPOINT').map((e) => JSON.parse(e.args))).toEqual([['kratos']]);
    const cmd = JSON.parse(all(runtime, 'CMD')[0]?.args ?? '[]') as string[];
    expect(cmd).toEqual(['serve', '-c', '/etc/kratos/kratos.yml', '-c', '/etc/kratos/site.yml', '--sqa-opt-out']);
    expect(all(runtime, 'ENV').map((e) => e.args)).toContain('SQA_OPT_OUT=true');
  });
});

/** The exec-form command of the final stage's HEALTHCHECK. */
function healthCommand(df: Dockerfile): string[] {
  const args = all(lastStage(df), 'HEALTHCHECK')[0]?.args ?? '';
  return JSON.parse(args.slice(args.indexOf('CMD ') + 4)) as string[];
}

/** Runs a health check command against a stand-in server answering `status` (or nothing listening). */
async function probe(command: (port: number) => [string, string[], NodeJS.ProcessEnv], status: number | 'closed'): Promise<number> {
  const server = createServer((req, res) => res.writeHead(req.url === '/health/ready' ? (status as number) : 404).end());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  if (status === 'closed') await new Promise((r) => server.close(r));
  try {
    const [file, args, env] = command(port);
    await run(file, args, { env: { PATH: process.env.PATH, ...env }, timeout: 10_000 });
    return 0;
  } catch (err) {
    return Number((err as { code: unknown }).code);
  } finally {
    server.close();
  }
}

describe('the images\' health checks, run here against a stand-in server', () => {
  it('hub: healthy only while /health/ready on SSOHUB_LISTEN_PORT answers 2xx', async () => {
    const [node, ...args] = healthCommand(parseDockerfile(readFileSync(HUB.file, 'utf8')));
    expect(node).toBe('node');
    const hub = (port: number): [string, string[], NodeJS.ProcessEnv] => [process.execPath, args, { SSOHUB_LISTEN_PORT: String(port) }];
    expect(await probe(hub, 200)).toBe(0);
    expect(await probe(hub, 503)).toBe(1);
    expect(await probe(hub, 'closed')).toBe(1);
  });

  it('kratos: healthy only while the public /health/ready answers 200 (bash /dev/tcp, no curl in the image)', async () => {
    const [bash, ...args] = healthCommand(parseDockerfile(readFileSync(KRATOS.file, 'utf8')));
    expect(bash).toBe('bash');
    expect(args.join(' ')).toContain('/dev/tcp/127.0.0.1/4433');
    const kratos = (port: number): [string, string[], NodeJS.ProcessEnv] => ['bash', args.map((a) => a.replace('/4433', `/${port}`)), {}];
    expect(await probe(kratos, 200)).toBe(0);
    expect(await probe(kratos, 503)).not.toBe(0);
    expect(await probe(kratos, 'closed')).not.toBe(0);
  });
});

describe('the linter itself', () => {
  it('reports a broken Dockerfile, so a clean result means something', async () => {
    const broken = ['FROM node:24.21.0-bookworm-slim AS build', 'COPY --chwon=node a b', 'HEALTHCHECK --intervl=5s CMD true', "ENTRYPOINT ['x']", ''].join('\n');
    const found = await lint(broken);
    expect(found.join('\n')).toMatch(/Unknown flag: chwon/);
    expect(found.join('\n')).toMatch(/Unknown flag: intervl/);
    expect(found.join('\n')).toMatch(/single quotes/);
  });
});
