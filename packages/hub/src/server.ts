import { buildApp } from './app.ts';
import type { HubConfig } from './config/hub-config.ts';
import { loadConfig } from './config/load-config.ts';
import { ConfigError } from './errors/ssohub-error.ts';
import { createLogger } from './http/create-logger.ts';

/**
 * Starts a hub from SSOHUB_* environment variables (and SSOHUB_CONFIG), listens on the public
 * and admin ports, and shuts down cleanly on SIGINT/SIGTERM.
 */
export async function startServer(env: NodeJS.ProcessEnv = process.env) {
  let config: Readonly<HubConfig>;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee docs/configuration.md for every option.\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  const hub = await buildApp(config, { log });
  // Admin first: once the public port answers its readiness probe, the admin API answers too.
  await hub.admin.listen({ host: config.admin.host, port: config.admin.port });
  await hub.app.listen({ host: config.listen.host, port: config.listen.port });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    await hub.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  return hub;
}

if (import.meta.main) {
  startServer().catch((err) => {
    process.stderr.write(`ssohub: failed to start: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
