import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// deploy/systemd checked by systemd's own tools, offline (no systemd runs as PID 1 here):
// `systemd-analyze verify` loads each unit the way the manager does (unknown keys, bad
// specifiers, missing executables, broken dependencies) inside a temporary root that holds the
// distribution's units and stand-ins for the programs the units start; `systemd-analyze security
// --offline=true` scores the sandboxing.

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const unitDir = join(root, 'deploy/systemd');
const UNITS = ['ssohub-hub.service', 'kratos-migrate.service', 'kratos.service', 'kratos-courier.service'];
// systemd-analyze security's overall exposure: 0 is fully sandboxed, 10 unprotected; "OK" is below 2.
const MAX_EXPOSURE = 1.5;

type Unit = Record<string, Record<string, string[]>>;

/** Reads a unit file into section -> key -> values (repeated keys keep every value). */
function parseUnit(text: string): Unit {
  const unit: Unit = {};
  let section: Record<string, string[]> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = unit[header[1] ?? ''] ?? {};
      unit[header[1] ?? ''] = section;
      continue;
    }
    const eq = line.indexOf('=');
    const key = line.slice(0, eq).trim();
    const values = section[key] ?? [];
    values.push(line.slice(eq + 1).trim());
    section[key] = values;
  }
  return unit;
}

function envFile(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

async function systemdAnalyze(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('systemd-analyze', args, { maxBuffer: 8 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number | string; stdout?: string; stderr?: string; message: string };
    if (e.code === 'ENOENT') throw new Error('systemd-analyze is needed to check deploy/systemd and was not found: apt-get install -y systemd');
    return { code: Number(e.code), stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const unitText: Record<string, string> = Object.fromEntries(
  await Promise.all(UNITS.map(async (name) => [name, await readFile(join(unitDir, name), 'utf8')] as const)),
);
const text = (name: string): string => {
  const t = unitText[name];
  if (t === undefined) throw new Error(`no unit ${name}`);
  return t;
};
const section = (name: string, which: 'Unit' | 'Service'): Record<string, string[]> => parseUnit(text(name))[which] ?? {};
const service = (name: string) => section(name, 'Service');
const first = (name: string, key: string) => service(name)[key]?.[0];

describe('the systemd units (deploy/systemd)', () => {
  let fakeRoot: string;

  /** A root with the distribution's units and an executable stand-in at every ExecStart path. */
  async function makeRoot(unitFiles: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'ssohub-systemd-'));
    const distUnits = ['/usr/lib/systemd/system', '/lib/systemd/system'].find((d) => existsSync(join(d, 'sysinit.target')));
    if (!distUnits) throw new Error('the distribution\'s systemd units (sysinit.target, ...) are missing: apt-get install -y systemd');
    await cp(distUnits, join(dir, 'usr/lib/systemd/system'), { recursive: true, verbatimSymlinks: true });
    await mkdir(join(dir, 'etc/systemd/system'), { recursive: true });
    for (const [name, text] of Object.entries(unitFiles)) {
      await writeFile(join(dir, 'etc/systemd/system', name), text);
      const service = parseUnit(text).Service;
      for (const exec of [...(service?.ExecStartPre ?? []), ...(service?.ExecStart ?? [])]) {
        const program = join(dir, exec.split(/\s+/)[0] ?? '');
        await mkdir(dirname(program), { recursive: true });
        await writeFile(program, '#!/bin/sh\nexit 0\n');
        await chmod(program, 0o755);
      }
    }
    return dir;
  }
  const verify = (dir: string, names: string[]) =>
    systemdAnalyze(['verify', `--root=${dir}`, '--man=no', '--generators=no', ...names.map((n) => join(dir, 'etc/systemd/system', n))]);

  beforeAll(async () => {
    fakeRoot = await makeRoot(unitText);
  });
  afterAll(async () => {
    if (fakeRoot) await rm(fakeRoot, { recursive: true, force: true });
  });

  it('pass systemd-analyze verify without a single warning', async () => {
    const result = await verify(fakeRoot, UNITS);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('verify reports a misspelt option and a missing program, so a clean run means something', async () => {
    const broken = text('kratos.service').replace('ProtectSystem=strict', 'ProtectSytem=strict');
    const dir = await makeRoot({ 'kratos.service': broken, 'kratos-migrate.service': text('kratos-migrate.service') });
    try {
      const misspelt = await verify(dir, ['kratos.service']);
      expect(misspelt.stderr).toMatch(/Unknown key 'ProtectSytem'/);
      await rm(join(dir, 'usr/local/bin/kratos'));
      const missing = await verify(dir, ['kratos.service']);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toMatch(/\/usr\/local\/bin\/kratos is not executable/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each(UNITS)(`%s is sandboxed: systemd-analyze security --offline scores it at most ${MAX_EXPOSURE}`, async (name) => {
    const file = join(unitDir, name);
    const result = await systemdAnalyze(['security', '--offline=true', `--threshold=${MAX_EXPOSURE * 10}`, file]);
    const overall = /Overall exposure level for \S+: (\d+\.\d)/.exec(result.stdout)?.[1];
    expect(Number(overall), result.stdout.split('\n').filter((l) => l.startsWith('✗')).join('\n')).toBeLessThanOrEqual(MAX_EXPOSURE);
    expect(result.code).toBe(0);
    const json = await systemdAnalyze(['security', '--offline=true', '--json=short', file]);
    const checks = Object.fromEntries((JSON.parse(json.stdout) as { json_field: string; set: boolean }[]).map((c) => [c.json_field, c.set]));
    for (const field of [
      'NoNewPrivileges',
      'ProtectSystem',
      'ProtectHome',
      'PrivateTmp',
      'PrivateDevices',
      'ProtectKernelTunables',
      'ProtectKernelModules',
      'ProtectKernelLogs',
      'ProtectControlGroups',
      'ProtectClock',
      'ProtectHostname',
      'RestrictNamespaces_user',
      'RestrictRealtime',
      'LockPersonality',
      'SystemCallArchitectures',
      'SystemCallFilter_privileged',
      'CapabilityBoundingSet_CAP_SYS_ADMIN',
      'UMask',
      'UserOrDynamicUser',
      'PrivateUsers',
      'PrivateMounts',
      'RestrictSUIDSGID',
      'RestrictAddressFamilies_AF_PACKET',
    ]) {
      expect(checks[field], `${name}: ${field}`).toBe(true);
    }
    // Go (Kratos) never needs writable+executable pages; Node's JIT does, so the hub must not forbid them.
    expect(checks.MemoryDenyWriteExecute, `${name}: MemoryDenyWriteExecute`).toBe(name !== 'ssohub-hub.service');
  });

  it('run the hub on the Node 24 installed next to it under /opt/ssohub, as its own user, stopping after its 10 s deadline', () => {
    expect(first('ssohub-hub.service', 'ExecStart')).toBe(
      '/opt/ssohub/node_modules/node/bin/node /opt/ssohub/node_modules/@ssohub/hub/bin/ssohub-hub.js',
    );
    expect(first('ssohub-hub.service', 'User')).toBe('ssohub');
    expect(Number.parseInt(first('ssohub-hub.service', 'TimeoutStopSec') ?? '0', 10)).toBeGreaterThan(10);
    expect(first('ssohub-hub.service', 'KillMode')).toBe('mixed');
    expect(first('ssohub-hub.service', 'Restart')).toBe('on-failure');
    expect(first('ssohub-hub.service', 'EnvironmentFile')).toBe('/etc/ssohub/hub.env');
  });

  it('run Kratos as the kratos user with the base file then the site file, SQA off, never --dev; exactly one courier', () => {
    const commands = Object.fromEntries(['kratos-migrate.service', 'kratos.service', 'kratos-courier.service'].map((n) => [n, first(n, 'ExecStart') ?? '']));
    expect(commands['kratos-migrate.service']).toBe('/usr/local/bin/kratos migrate sql -e --yes -c /etc/kratos/kratos.yml -c %d/site.yml');
    expect(commands['kratos.service']).toBe('/usr/local/bin/kratos serve -c /etc/kratos/kratos.yml -c %d/site.yml --sqa-opt-out');
    expect(commands['kratos-courier.service']).toBe('/usr/local/bin/kratos courier watch -c /etc/kratos/kratos.yml -c %d/site.yml');
    for (const name of Object.keys(commands)) {
      expect(first(name, 'User'), name).toBe('kratos');
      expect(service(name).Environment, name).toContain('SQA_OPT_OUT=true');
      expect(service(name).LoadCredential, name).toEqual(['site.yml:/etc/kratos/site.yml']);
      expect(service(name).ExecStart, name).toHaveLength(1);
    }
    expect(Object.values(commands).filter((c) => c.includes('courier watch'))).toHaveLength(1);
    expect(commands['kratos.service']).not.toContain('--watch-courier');
  });

  it('apply the migrations once, to completion, before Kratos and the courier start', () => {
    expect(first('kratos-migrate.service', 'Type')).toBe('oneshot');
    expect(first('kratos-migrate.service', 'RemainAfterExit')).toBe('yes');
    expect(section('kratos-migrate.service', 'Unit').Before?.join(' ').split(/\s+/)).toEqual(
      expect.arrayContaining(['kratos.service', 'kratos-courier.service']),
    );
    for (const name of ['kratos.service', 'kratos-courier.service']) {
      expect(section(name, 'Unit').Requires, name).toContain('kratos-migrate.service');
      expect(section(name, 'Unit').After?.join(' ').split(/\s+/), name).toContain('kratos-migrate.service');
    }
  });

  it('hand every secret to the hub as a systemd credential, and hub.env plus the unit give the compose file\'s hub environment', async () => {
    const loaded = new Map(service('ssohub-hub.service').LoadCredential?.map((l) => l.split(':') as [string, string]));
    const fromUnit: Record<string, string> = {};
    for (const env of service('ssohub-hub.service').Environment ?? []) {
      const [key, value] = [env.slice(0, env.indexOf('=')), env.slice(env.indexOf('=') + 1)];
      fromUnit[key] = value;
      const credential = /^%d\/(.+)$/.exec(value)?.[1];
      expect(credential, `${key} points into the credentials directory`).toBeDefined();
      expect(loaded.has(credential ?? ''), `${key}: credential ${credential} is loaded`).toBe(true);
    }
    expect([...loaded.values()].every((source) => source.startsWith('/etc/ssohub/secrets/') || source === '/etc/kratos/site.yml')).toBe(true);
    expect(loaded.get('kratos_site.yml'), 'the site file keeps its .yml name').toBe('/etc/kratos/site.yml');

    const hubEnv = envFile(await readFile(join(unitDir, 'hub.env'), 'utf8'));
    // EnvironmentFile= wins over Environment=: hub.env must leave the credential paths alone.
    expect(Object.keys(hubEnv).filter((k) => k in fromUnit)).toEqual([]);
    expect(hubEnv).toMatchObject({ SSOHUB_MODE: 'production', SSOHUB_TRUST_PROXY: '1', SSOHUB_ADMIN_HOST: '127.0.0.1' });
    const compose = await readFile(join(root, 'deploy/compose/compose.yaml'), 'utf8');
    const block = /^x-hub-environment: &hub-environment\n((?: {2}\S.*\n)+)/m.exec(compose)?.[1] ?? '';
    const composeKeys = [...block.matchAll(/^ {2}(SSOHUB_[A-Z_]+):/gm)].map((m) => m[1]);
    expect(composeKeys.length).toBeGreaterThan(10);
    expect([...Object.keys(hubEnv), ...Object.keys(fromUnit)].sort()).toEqual(expect.arrayContaining(composeKeys.sort()));
  });
});
