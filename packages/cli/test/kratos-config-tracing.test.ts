import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EXIT } from '../src/errors/exit-codes.ts';
import { runCli } from './run-cli.ts';

// Issue 22: when the hub exports traces (OTEL_* in its env file), the site file turns Kratos' own
// tracing on to the same collector, so Kratos' spans join the hub's traces.
describe('ssohub kratos config: Kratos traces where the hub does', () => {
  const write = async (env: string[]) => {
    const dir = await mkdtemp(join(tmpdir(), 'ssohub-kratos-tracing-'));
    const envFile = join(dir, 'hub.env');
    await writeFile(envFile, ['SSOHUB_MODE=development', 'SSOHUB_PUBLIC_URL=http://localhost:8080', ...env].join('\n'));
    const res = await runCli(['kratos', 'config', '--env-file', envFile, '--dsn', 'memory', '--smtp-uri', 'smtp://127.0.0.1:25/', '--out', join(dir, 'site.yml')]);
    return { res, site: res.code === EXIT.OK ? (parse(await readFile(join(dir, 'site.yml'), 'utf8')) as { tracing?: unknown }) : undefined };
  };

  it('writes no tracing without an OTLP endpoint', async () => {
    const { res, site } = await write([]);
    expect(res.code, res.stderr).toBe(EXIT.OK);
    expect(site?.tracing).toBeUndefined();
    expect(res.stdout).toMatch(/tracing {6}off/);
  });

  it("points Kratos at the hub's collector (host:port, TLS by scheme) with the hub's ratio", async () => {
    const { res, site } = await write(['OTEL_EXPORTER_OTLP_ENDPOINT=http://otel-collector:4318', 'OTEL_TRACES_SAMPLER=parentbased_traceidratio', 'OTEL_TRACES_SAMPLER_ARG=0.25']);
    expect(res.code, res.stderr).toBe(EXIT.OK);
    expect(site?.tracing).toEqual({
      provider: 'otel',
      service_name: 'ssohub-kratos',
      providers: { otlp: { server_url: 'otel-collector:4318', insecure: true, sampling: { sampling_ratio: 0.25 } } },
    });
    expect(res.stdout).toMatch(/tracing {6}to otel-collector:4318/);
    const tls = await write(['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=https://traces.example.com/v1/traces']);
    expect(tls.site?.tracing).toMatchObject({ providers: { otlp: { server_url: 'traces.example.com:443', insecure: false, sampling: { sampling_ratio: 1 } } } });
  });

  it('refuses an OTEL_* value the hub would refuse, naming it', async () => {
    const { res } = await write(['OTEL_EXPORTER_OTLP_ENDPOINT=collector:4318']);
    expect(res.code).toBe(EXIT.USAGE);
    expect(res.stderr).toMatch(/OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" is not an http\(s\) URL/);
  });
});
