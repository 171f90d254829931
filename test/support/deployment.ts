import { exportJWK, generateKeyPair } from 'jose';
import { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { RedisSessionStore } from '@ssohub/client';
import { createDemoApp, demoClientRegistration } from '@ssohub/demo-app';
import { reservePort, TEST_HOSTS, uniquePrefix } from '@ssohub/testkit';
import { type HubStack, type HubStackOptions, startHubStack } from './hub-stack.ts';

export interface DeployedApp {
  clientId: string;
  url: string;
  secret: string;
  app: FastifyInstance;
  store: RedisSessionStore;
}

export interface Deployment {
  stack: HubStack;
  hubUrl: string;
  issuer: string;
  appA: DeployedApp;
  shopB: DeployedApp;
  /** The hub's signing keys (private JWKs), so tests can sign tokens exactly as the hub does. */
  signingKeys: { rs256: Record<string, unknown>; es256: Record<string, unknown> };
  redis: Redis;
  stop(): Promise<void>;
}

async function signingKey(alg: 'RS256' | 'ES256', kid: string) {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), alg, kid, use: 'sig' };
}

/**
 * The end-to-end deployment: the hub on https://login.sso.test, App A on https://app-a.test and
 * Shop B on https://shop-b.example (both demo apps on @ssohub/client with their own Redis
 * namespaces), real Kratos, real Redis, real SMTP capture. Clients are first-party with
 * back-channel logout.
 */
export async function startDeployment(options: Pick<HubStackOptions, 'kratosOverrides' | 'kratosEnv' | 'config' | 'tracing'> = {}): Promise<Deployment> {
  // Held until each app listens, so Kratos and the hub started meanwhile get other ports.
  const reservations = [await reservePort(), await reservePort()];
  const [portA, portB] = reservations.map((r) => r.port) as [number, number];
  const urlA = `https://${TEST_HOSTS.appA}:${portA}`;
  const urlB = `https://${TEST_HOSTS.shopB}:${portB}`;
  const rs256 = await signingKey('RS256', 'e2e-rs256');
  const es256 = await signingKey('ES256', 'e2e-es256');
  const clients = [
    { id: 'app-a', url: urlA, secret: 'app-a-secret-0123456789abcdefghijklmn' },
    { id: 'shop-b', url: urlB, secret: 'shop-b-secret-0123456789abcdefghijklm' },
  ];
  const stack = await startHubStack({
    ...options,
    allowedReturnOrigins: [urlA, urlB],
    config: {
      ...options.config,
      bridge: {
        signingKeys: [rs256, es256],
        // Shop B takes ES256 ID tokens, App A the RS256 default: the SDK is proven on both.
        clients: clients.map((c) =>
          demoClientRegistration({ clientId: c.id, name: c.id === 'app-a' ? 'App A' : 'Shop B', url: c.url, secret: c.secret, idTokenAlg: c.id === 'shop-b' ? 'ES256' : undefined }),
        ),
      },
    },
  });
  const issuer = `${stack.hubUrl}/oidc`;
  const redis = new Redis(inject('redisUrl'));
  const prefix = uniquePrefix('apps');
  const tls = { cert: inject('certPem'), key: inject('keyPem') };
  const deployed: DeployedApp[] = [];
  for (const [i, c] of clients.entries()) {
    const store = new RedisSessionStore({ redis, clientId: c.id, keyPrefix: `${prefix}client:` });
    const other = clients[1 - i]!;
    const app = await createDemoApp({
      name: c.id === 'app-a' ? 'App A' : 'Shop B',
      publicUrl: c.url,
      issuer,
      clientId: c.id,
      clientSecret: c.secret,
      otherAppUrl: other.url,
      otherAppName: other.id === 'app-a' ? 'App A' : 'Shop B',
      accent: c.id === 'app-a' ? '#0b69a3' : '#7a3db8',
      store,
      cookieSecrets: [`${c.id}-cookie-secret-0123456789abcdefghijkl`],
      https: tls,
    });
    await reservations[i]!.release();
    await app.listen({ host: '127.0.0.1', port: Number(new URL(c.url).port) });
    deployed.push({ clientId: c.id, url: c.url, secret: c.secret, app, store });
  }
  return {
    stack,
    hubUrl: stack.hubUrl,
    issuer,
    appA: deployed[0]!,
    shopB: deployed[1]!,
    signingKeys: { rs256, es256 },
    redis,
    async stop() {
      for (const d of deployed) await d.app.close();
      await stack.stop();
      redis.disconnect();
    },
  };
}
