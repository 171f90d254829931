import { createServer, type Server } from 'node:https';
import { format } from 'node:util';
import express from 'express';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { buildApp, checkConfig, createLogger, type Hub } from '@ssohub/hub';
import { createSsoClient, RedisSessionStore, ssoApiExpress, ssoExpress } from '@ssohub/client';
import { createDemoApp, demoClientRegistration } from '@ssohub/demo-app';
import { deleteKeysWithPrefix, reservePort, type RunningKratos, type SmtpCapture, startKratos, startSmtpCapture, TEST_HOSTS, uniquePrefix } from '@ssohub/testkit';
import type { FuzzTargets } from './generate.ts';

/**
 * Counts the lines a process logs, by pino level, and keeps the first error-level ones (>= 50)
 * with what was in flight when each was written (pino writes synchronously to this stream).
 */
export class LogSink {
  readonly counts = new Map<number, number>();
  readonly errors: { source: string; line: string; inFlight: number[] }[] = [];
  inFlight: () => number[] = () => [];

  private readonly keep = 20;

  /** A pino destination for `source`. */
  destination(source: string): { write(line: string): void } {
    return {
      write: (chunk: string) => {
        for (const line of chunk.split('\n')) {
          if (!line) continue;
          const level = Number(/"level":(\d+)/.exec(line)?.[1] ?? 60);
          this.counts.set(level, (this.counts.get(level) ?? 0) + 1);
          if (level >= 50) this.record(source, line);
        }
      },
    };
  }

  /** A line written with console.error (the Express adapter's log): error level. */
  consoleError(source: string, line: string): void {
    this.counts.set(50, (this.counts.get(50) ?? 0) + 1);
    this.record(source, line);
  }

  /** Error-level lines beyond the ones kept. */
  dropped = 0;

  private record(source: string, line: string): void {
    if (this.errors.length < this.keep) this.errors.push({ source, line: line.slice(0, 2000), inFlight: this.inFlight() });
    else this.dropped++;
  }

  get errorLines(): number {
    let n = 0;
    for (const [level, count] of this.counts) if (level >= 50) n += count;
    return n;
  }
}

export interface FuzzStack {
  targets: FuzzTargets;
  hub: Hub;
  kratos: RunningKratos;
  logs: LogSink;
  stop(): Promise<void>;
}

export interface FuzzStackOptions {
  certs: { certPem: string; keyPem: string };
  redisUrl: string;
  /** pino level of the hub and the apps (error lines are counted at any level). */
  logLevel?: 'info' | 'warn';
}

const ADMIN_TOKEN = 'fuzz-admin-token-0123456789abcdefghij';

/**
 * The hub on https://login.sso.test (real Kratos on SQLite, real Redis, SMTP capture), its admin
 * listener, the demo app on https://app-a.test (Fastify adapter) and a small Express app on
 * https://shop-b.example (Express adapter and resource-server middleware), all on loopback, every
 * pino line of the hub and the apps going to one LogSink. Throttles are opened wide: the fuzz
 * comes from one IP far above a person's pace, and a 429 would hide the route behind it.
 */
export async function startFuzzStack(o: FuzzStackOptions): Promise<FuzzStack> {
  const logs = new LogSink();
  const level = o.logLevel ?? 'warn';
  const closers: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const reserved = { hub: await reservePort(), admin: await reservePort(), app: await reservePort(), express: await reservePort() };
    const hubUrl = `https://${TEST_HOSTS.hub}:${reserved.hub.port}`;
    const appUrl = `https://${TEST_HOSTS.appA}:${reserved.app.port}`;
    const expressUrl = `https://${TEST_HOSTS.shopB}:${reserved.express.port}`;
    const smtp: SmtpCapture = await startSmtpCapture();
    closers.push(() => smtp.stop());
    const kratos = await startKratos({ hubUrl, smtpPort: smtp.port, allowedReturnUrls: [`${appUrl}/`, `${expressUrl}/`] });
    closers.push(() => kratos.stop());

    const clients = {
      app: { clientId: 'app-a', clientSecret: 'fuzz-app-a-secret-0123456789abcdefghij', url: appUrl },
      express: { clientId: 'shop-b', clientSecret: 'fuzz-shop-b-secret-0123456789abcdefghi', url: expressUrl },
    };
    const unthrottled = { burst: 1_000_000, perMinute: 1_000_000 };
    const prefix = uniquePrefix('fuzz');
    const config = checkConfig({
      mode: 'development',
      publicUrl: hubUrl,
      listen: { host: '127.0.0.1', port: reserved.hub.port, tls: { cert: o.certs.certPem, key: o.certs.keyPem } },
      admin: { host: '127.0.0.1', port: reserved.admin.port, token: ADMIN_TOKEN },
      store: { kind: 'redis', url: o.redisUrl, prefix },
      allowedReturnOrigins: [appUrl, expressUrl],
      logLevel: level,
      kratos: { publicUrl: kratos.publicUrl, adminUrl: kratos.adminUrl, configFiles: kratos.configFiles },
      guard: { ip: unthrottled, token: { ipBurst: unthrottled.burst, ipPerMinute: unthrottled.perMinute, clientBurst: unthrottled.burst, clientPerMinute: unthrottled.perMinute } },
      bridge: {
        cookieKeys: ['fuzz-cookie-key-0123456789abcdefghijklmnop'],
        clients: [
          demoClientRegistration({ clientId: clients.app.clientId, name: 'App A', url: appUrl, secret: clients.app.clientSecret }),
          demoClientRegistration({ clientId: clients.express.clientId, name: 'Shop B', url: expressUrl, secret: clients.express.clientSecret }),
        ],
      },
    });
    const hub = await buildApp(config, { log: createLogger(level, logs.destination('hub')) });
    closers.push(async () => {
      await hub.close();
      const redis = new Redis(o.redisUrl, { maxRetriesPerRequest: 2 });
      try {
        await deleteKeysWithPrefix(redis, prefix);
      } finally {
        await redis.quit();
      }
    });
    await reserved.hub.release();
    await hub.app.listen({ host: '127.0.0.1', port: reserved.hub.port });
    await reserved.admin.release();
    await hub.admin.listen({ host: '127.0.0.1', port: reserved.admin.port });

    const redis = new Redis(o.redisUrl);
    closers.push(async () => redis.disconnect());
    const issuer = `${hubUrl}/oidc`;

    // The demo app: the Fastify adapter and ssoApiFastify, its logger into the sink.
    const app: FastifyInstance = await createDemoApp({
      name: 'App A',
      publicUrl: appUrl,
      issuer,
      clientId: clients.app.clientId,
      clientSecret: clients.app.clientSecret,
      otherAppUrl: expressUrl,
      store: new RedisSessionStore({ redis, clientId: clients.app.clientId, keyPrefix: `${prefix}client:` }),
      cookieSecrets: ['fuzz-app-a-cookie-secret-0123456789abcdef'],
      https: { cert: o.certs.certPem, key: o.certs.keyPem },
      logger: { level, stream: logs.destination('app') },
    });
    closers.push(() => app.close());
    await reserved.app.release();
    await app.listen({ host: '127.0.0.1', port: reserved.app.port });

    // The Express app: ssoExpress, requireSession and ssoApiExpress as the README shows them.
    const expressClient = await createSsoClient({
      issuer,
      clientId: clients.express.clientId,
      clientSecret: clients.express.clientSecret,
      baseUrl: expressUrl,
      secrets: ['fuzz-shop-b-cookie-secret-0123456789abcdef'],
      store: new RedisSessionStore({ redis, clientId: clients.express.clientId, keyPrefix: `${prefix}client:` }),
    });
    const web = express();
    const sso = ssoExpress(expressClient);
    web.use(sso);
    web.get('/', (req, res) => {
      res.json({ signedIn: Boolean(req.ssoSession) });
    });
    web.get('/account', sso.requireSession(), (req, res) => {
      res.json({ sub: req.ssoSession?.claims.sub });
    });
    web.get('/api/me', ssoApiExpress(expressClient), (req, res) => {
      res.json({ sub: req.ssoApiToken?.sub });
    });
    web.get('/health', (_req, res) => {
      res.json({ ok: true });
    });
    // Express' own final handler logs only outside NODE_ENV=test: this one logs always.
    web.use((err: { status?: number; statusCode?: number; stack?: string }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      const status = Number(err?.status ?? err?.statusCode ?? 500);
      if (!(status >= 400 && status < 500)) logs.consoleError('express', `unhandled error: ${err?.stack ?? String(err)}`);
      res.status(status >= 400 && status < 600 ? status : 500).end();
    });
    // The Express adapter logs with console.error: every call during the run is an error line.
    const consoleError = console.error;
    console.error = (...args: unknown[]) => logs.consoleError('console', process.env.FUZZ_DEBUG ? `${format(...args)}\n${new Error('logged from').stack}` : format(...args));
    closers.push(async () => {
      console.error = consoleError;
    });
    const server: Server = createServer({ cert: o.certs.certPem, key: o.certs.keyPem }, web);
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    await reserved.express.release();
    await new Promise<void>((resolve) => server.listen(reserved.express.port, '127.0.0.1', resolve));

    const appClient = app.ssoClient;
    return {
      hub,
      kratos,
      logs,
      stop,
      targets: {
        hub: { host: TEST_HOSTS.hub, port: reserved.hub.port },
        admin: { port: reserved.admin.port, token: ADMIN_TOKEN },
        app: { host: TEST_HOSTS.appA, port: reserved.app.port, clientId: clients.app.clientId, clientSecret: clients.app.clientSecret, sessionCookie: appClient.sessionCookieName, transactionCookie: appClient.transactionCookieName },
        express: { host: TEST_HOSTS.shopB, port: reserved.express.port, clientId: clients.express.clientId, clientSecret: clients.express.clientSecret, sessionCookie: expressClient.sessionCookieName, transactionCookie: expressClient.transactionCookieName },
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
