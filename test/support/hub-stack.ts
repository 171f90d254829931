import { inject } from 'vitest';
import { buildApp, checkConfig, createLogger, type Hub, type HubConfigInput, type HubTracing } from '@ssohub/hub';
import {
  reservePort,
  type KratosDatabase,
  type RunningKratos,
  type SmtpCapture,
  startKratos,
  startSmtpCapture,
  uniquePrefix,
  deleteKeysWithPrefix,
} from '@ssohub/testkit';
import { Redis } from 'ioredis';

export interface HubStack {
  /** https://login.sso.test:<port> */
  hubUrl: string;
  kratos: RunningKratos;
  smtp: SmtpCapture;
  hub: Hub;
  /** Starts another hub instance on the same Kratos and store (for multi-instance tests). */
  startInstance(overrides?: HubConfigInput): Promise<{ url: string; hub: Hub }>;
  /** The admin listener's base URL. */
  adminUrl: string;
  stop(): Promise<void>;
}

export interface HubStackOptions {
  /** 'redis' (default, the real part) or 'memory'. */
  store?: 'redis' | 'memory';
  database?: KratosDatabase;
  /** Origins of client apps that flows may return to. */
  allowedReturnOrigins?: string[];
  config?: HubConfigInput;
  /** Merged last into Kratos' site file; a function gets the hub's URL (known only once its port is). */
  kratosOverrides?: Record<string, unknown> | ((hubUrl: string) => Record<string, unknown>);
  /** Start Kratos with --dev (cookies without Secure): only for tests of weakened deployments. */
  kratosDev?: boolean;
  /** Extra environment for Kratos (HTTPS_PROXY and SSL_CERT_FILE to reach an upstream provider). */
  kratosEnv?: Record<string, string>;
  /** Where Kratos' output lines go (its JSON log), for tests that read them. */
  kratosLog?: (line: string) => void;
  /** Where the hub's pino lines go, at `logLevel` (for tests that read the logs). */
  log?: { level: 'trace' | 'debug' | 'info'; destination: { write(line: string): void } };
  /** The first hub instance's tracing (startTracing), as server.ts builds it from OTEL_*; the hub shuts it down. */
  tracing?: HubTracing;
}

/**
 * Starts the real parts for a test file: SMTP capture, Kratos (fronted by the hub, so its
 * base_url is the hub's https URL on login.sso.test) and a hub instance listening with the test
 * certificate. Everything listens on loopback.
 */
export async function startHubStack(options: HubStackOptions = {}): Promise<HubStack> {
  // Held open until the hub listens: Kratos, the SMTP capture and anything else running are
  // handed other ports meanwhile.
  const reserved = await reservePort();
  const reservedAdmin = await reservePort();
  const port = reserved.port;
  const hubUrl = `https://login.sso.test:${port}`;
  const smtp = await startSmtpCapture();
  const kratos = await startKratos({
    hubUrl,
    smtpPort: smtp.port,
    allowedReturnUrls: (options.allowedReturnOrigins ?? []).map((o) => `${o}/`),
    ...(options.database ? { database: options.database } : {}),
    ...(options.kratosOverrides ? { overrides: typeof options.kratosOverrides === 'function' ? options.kratosOverrides(hubUrl) : options.kratosOverrides } : {}),
    ...(options.kratosDev ? { dev: true } : {}),
    ...(options.kratosEnv ? { env: options.kratosEnv } : {}),
    ...(options.kratosLog ? { log: options.kratosLog } : {}),
    // As `ssohub kratos config` writes the hub's policy into the site file.
    ...(options.config?.passwordPolicy?.minLength === undefined ? {} : { passwordMinLength: options.config.passwordPolicy.minLength }),
  });
  const prefix = uniquePrefix('hub');
  const adminToken = 'test-admin-token-0123456789abcdef';
  const configFor = (listenPort: number, adminPort: number, publicUrl: string, extra: HubConfigInput = {}) =>
    checkConfig({
      mode: 'development',
      publicUrl,
      listen: { host: '127.0.0.1', port: listenPort, tls: { cert: inject('certPem'), key: inject('keyPem') } },
      admin: { host: '127.0.0.1', port: adminPort, token: adminToken },
      store: options.store === 'memory' ? { kind: 'memory' } : { kind: 'redis', url: inject('redisUrl'), prefix },
      allowedReturnOrigins: options.allowedReturnOrigins ?? [],
      logLevel: (process.env.SSOHUB_TEST_LOG as 'info' | undefined) ?? 'silent',
      ...options.config,
      ...extra,
      kratos: { publicUrl: kratos.publicUrl, adminUrl: kratos.adminUrl, configFiles: kratos.configFiles, ...options.config?.kratos },
      bridge: { cookieKeys: ['test-cookie-key-0123456789abcdefghijklmnop'], ...options.config?.bridge, ...extra.bridge },
    });
  const log = options.log
    ? createLogger(options.log.level, options.log.destination)
    : createLogger((process.env.SSOHUB_TEST_LOG as 'info' | undefined) ?? 'silent');
  const adminPort = reservedAdmin.port;
  const hub = await buildApp(configFor(port, adminPort, hubUrl), { log, ...(options.tracing ? { tracing: options.tracing } : {}) });
  await reserved.release();
  await hub.app.listen({ host: '127.0.0.1', port });
  await reservedAdmin.release();
  await hub.admin.listen({ host: '127.0.0.1', port: adminPort });
  const extra: Hub[] = [];
  return {
    hubUrl,
    kratos,
    smtp,
    hub,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    async startInstance(overrides = {}) {
      // A second instance answers on another port of the same host name; with the same issuer
      // configured it serves the same deployment, as behind a load balancer.
      const rp = await reservePort();
      const rap = await reservePort();
      const [p, ap] = [rp.port, rap.port];
      const h = await buildApp(configFor(p, ap, hubUrl, overrides), { log });
      await rp.release();
      await h.app.listen({ host: '127.0.0.1', port: p });
      await rap.release();
      await h.admin.listen({ host: '127.0.0.1', port: ap });
      extra.push(h);
      return { url: `https://login.sso.test:${p}`, hub: h };
    },
    async stop() {
      for (const h of extra) await h.close();
      await hub.close();
      await kratos.stop();
      await smtp.stop();
      if (options.store !== 'memory') {
        const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 2 });
        try {
          await deleteKeysWithPrefix(redis, prefix);
        } finally {
          await redis.quit();
        }
      }
    },
  };
}

export { adminTokenForTests };
const adminTokenForTests = 'test-admin-token-0123456789abcdef';
