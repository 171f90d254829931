/**
 * @file Starts one demo app from environment variables:
 * DEMO_NAME, DEMO_PUBLIC_URL, DEMO_ISSUER, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_OTHER_URL,
 * DEMO_OTHER_NAME, DEMO_COOKIE_SECRET (>= 32 chars), DEMO_PORT (default 4001), DEMO_HOST
 * (default 127.0.0.1), DEMO_ACCENT, REDIS_URL (omit for the memory store), DEMO_INSECURE=1 to
 * allow http to a non-localhost hub in development.
 */
import { MemorySessionStore, RedisSessionStore, type SessionStore } from '@ssohub/client';
import { createDemoApp } from './create-demo-app.ts';

function env(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === '') {
    console.error(`demo-app: ${name} is required`);
    process.exit(2);
  }
  return value;
}

const clientId = env('DEMO_CLIENT_ID');
let store: SessionStore;
let redis: { quit(): Promise<unknown> } | undefined;
if (process.env.REDIS_URL) {
  const { Redis } = await import('ioredis');
  const client = new Redis(process.env.REDIS_URL);
  redis = client;
  store = new RedisSessionStore({ redis: client, clientId });
} else {
  store = new MemorySessionStore({ clientId });
}

const app = await createDemoApp({
  name: env('DEMO_NAME', clientId),
  publicUrl: env('DEMO_PUBLIC_URL'),
  issuer: env('DEMO_ISSUER'),
  clientId,
  clientSecret: env('DEMO_CLIENT_SECRET'),
  otherAppUrl: env('DEMO_OTHER_URL'),
  ...(process.env.DEMO_OTHER_NAME ? { otherAppName: process.env.DEMO_OTHER_NAME } : {}),
  ...(process.env.DEMO_ACCENT ? { accent: process.env.DEMO_ACCENT } : {}),
  store,
  cookieSecrets: env('DEMO_COOKIE_SECRET').split(','),
  allowInsecureRequests: process.env.DEMO_INSECURE === '1',
  allowVolatileStore: true,
  logger: {
    level: process.env.LOG_LEVEL ?? 'info',
    // Path only: the callback's query carries the authorization code and state.
    serializers: { req: (req: { method: string; url: string }) => ({ method: req.method, path: req.url.split('?')[0] }) },
  },
});
const port = Number(process.env.DEMO_PORT ?? 4001);
const host = process.env.DEMO_HOST ?? '127.0.0.1';
await app.listen({ port, host });
app.log.info({ store: store.description }, `demo app ${clientId} listening; open ${env('DEMO_PUBLIC_URL')}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app
      .close()
      .then(() => redis?.quit())
      .finally(() => process.exit(0));
  });
}
