import { buildApp } from './app.ts';
import type { HubConfig } from './config/hub-config.ts';
import { loadConfig } from './config/load-config.ts';
import { ConfigError } from './errors/ssohub-error.ts';
import { createLogger } from './http/create-logger.ts';
import { shutDownOnSignals } from './http/graceful-shutdown.ts';
import { startWorkerTracing } from './tracing/start-worker-tracing.ts';
import { type TracingSettings, tracingSettingsFromEnv } from './tracing/tracing-settings.ts';

/**
 * Starts a hub from SSOHUB_* environment variables (and SSOHUB_CONFIG), listens on the public
 * and admin ports, and shuts down gracefully on SIGINT/SIGTERM (drain, then close, within
 * shutdown.timeoutMs: http/graceful-shutdown.ts).
 */
export async function startServer(env: NodeJS.ProcessEnv = process.env) {
  let config: Readonly<HubConfig>;
  let tracingSettings: TracingSettings | undefined;
  const warnings: string[] = [];
  try {
    config = loadConfig(env, { warn: (message) => warnings.push(message) });
    tracingSettings = tracingSettingsFromEnv(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee docs/configuration.md for every option.\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  for (const message of warnings) log.warn(message);
  const hub = await buildApp(config, { log, tracing: tracingSettings && startWorkerTracing(env, log) });
  // Admin first: once the public port answers its readiness probe, the admin API answers too.
  await hub.admin.listen({ host: config.admin.host, port: config.admin.port });
  await hub.app.listen({ host: config.listen.host, port: config.listen.port });
  shutDownOnSignals(hub, { log, shutdown: config.shutdown });
  return hub;
}

if (import.meta.main) {
  startServer().catch((err) => {
    process.stderr.write(`ssohub: failed to start: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
