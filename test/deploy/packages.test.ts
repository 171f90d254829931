import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@ssohub/testkit';

// What `npm run pack` makes must install and resolve outside this repository: manifests without
// the monorepo's conventions, every export and bin present in the tarball, nothing of the tests.
// (native-deployment.test.ts installs and runs them; this checks what npm and TypeScript resolve.)

const exec = promisify(execFile);
const PUBLISHED = ['hub', 'cli', 'client'] as const;

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  type?: string;
  engines?: { node?: string };
  bin?: Record<string, string>;
  exports: Record<string, string | Record<string, string>>;
  files?: string[];
  dependencies?: Record<string, string>;
}

describe('the npm tarballs of @ssohub/hub, @ssohub/cli and @ssohub/client', () => {
  let dir: string;
  const contents = new Map<string, { files: string[]; manifest: Manifest; read: (path: string) => Promise<string> }>();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ssohub-pack-'));
    await exec('npm', ['run', '-s', 'pack', '--', '--out', dir], { cwd: REPO_ROOT, env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' }, maxBuffer: 16 << 20 });
    for (const name of PUBLISHED) {
      const tarball = join(dir, `ssohub-${name}-0.1.0.tgz`);
      const files = (await exec('tar', ['tzf', tarball], { maxBuffer: 16 << 20 })).stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
      const read = async (path: string) => (await exec('tar', ['xzf', tarball, '-O', `package/${path}`], { maxBuffer: 16 << 20 })).stdout;
      contents.set(name, { files, manifest: JSON.parse(await read('package.json')) as Manifest, read });
    }
  }, 300_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each(PUBLISHED)('@ssohub/%s: a public ESM package whose engines and dependencies resolve outside the monorepo', (name) => {
    const { manifest } = contents.get(name)!;
    expect(manifest.name).toBe(`@ssohub/${name}`);
    expect(manifest.private).toBeUndefined();
    expect(manifest.type).toBe('module');
    expect(manifest.engines?.node).toMatch(/^>=2[2-9]\.\d+$/);
    for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
      // No workspace wildcard or path: an app outside the repository must resolve each one.
      expect(range, `${dep}@${range}`).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });

  it.each(PUBLISHED)('@ssohub/%s: every export has types first, and every target and bin is in the tarball', async (name) => {
    const { manifest, files, read } = contents.get(name)!;
    for (const [subpath, entry] of Object.entries(manifest.exports)) {
      if (subpath === './package.json') continue;
      expect(typeof entry, subpath).toBe('object');
      const conditions = Object.keys(entry as Record<string, string>);
      expect(conditions, subpath).toEqual(['types', 'default']);
      for (const target of Object.values(entry as Record<string, string>)) expect(files, `${subpath} → ${target}`).toContain(target.replace(/^\.\//, ''));
    }
    for (const [bin, target] of Object.entries(manifest.bin ?? {})) {
      expect(files, bin).toContain(target.replace(/^\.\//, ''));
      expect(await read(target.replace(/^\.\//, '')), bin).toMatch(/^#!\/usr\/bin\/env node\n/);
    }
    expect(files).toContain('README.md');
    expect(files.filter((f) => /(^|\/)(src|test)\/|\.test\.|-contract\.|tsconfig/.test(f))).toEqual([]);
  });

  it('ships the bins the deployment runs, and the CLI depends on the hub of the same version', () => {
    expect(contents.get('hub')!.manifest.bin).toEqual({ 'ssohub-hub': './bin/ssohub-hub.js' });
    expect(contents.get('cli')!.manifest.bin).toEqual({ ssohub: './bin/ssohub.js' });
    expect(contents.get('cli')!.manifest.dependencies?.['@ssohub/hub']).toBe(contents.get('hub')!.manifest.version);
    // The hub's subpaths the CLI imports exist with their declarations.
    expect(Object.keys(contents.get('hub')!.manifest.exports)).toEqual(expect.arrayContaining(['.', './config', './keys']));
  });

  it('refuses to start on a Node older than the engines say, with what to install', async () => {
    const { read } = contents.get('hub')!;
    const bin = await read('bin/ssohub-hub.js');
    const floor = contents.get('hub')!.manifest.engines!.node!.replace('>=', '');
    expect(bin).toContain(`const REQUIRED = [${floor.split('.').join(', ')}];`);
    const cliBin = await contents.get('cli')!.read('bin/ssohub.js');
    expect(cliBin).toContain(`major < ${floor.split('.')[0]} || (major === ${floor.split('.')[0]} && minor < ${floor.split('.')[1]})`);
  });
});
