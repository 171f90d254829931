import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { checkConfig } from '../config/check-config.ts';
import { ConfigError } from '../errors/ssohub-error.ts';
import { fastifyTrustProxy } from './trust-proxy.ts';

async function ipSeen(trust: boolean | number | string[], forwardedFor: string) {
  const app = Fastify({ trustProxy: fastifyTrustProxy(trust) });
  app.get('/', async (request) => ({ ip: request.ip }));
  const res = await app.inject({ url: '/', remoteAddress: '10.0.0.5', headers: { 'x-forwarded-for': forwardedFor } });
  await app.close();
  return (res.json() as { ip: string }).ip;
}

describe('which client IP the hub believes (throttling and lockout depend on it)', () => {
  it('with one trusted hop, takes the address the load balancer saw, not what the client wrote', async () => {
    expect(await ipSeen(1, '6.6.6.6, 203.0.113.7')).toBe('203.0.113.7');
  });

  it('with a list of proxy addresses, stops at the first address that is not a trusted proxy', async () => {
    expect(await ipSeen(['10.0.0.0/8'], '6.6.6.6, 203.0.113.7')).toBe('203.0.113.7');
    expect(await ipSeen(['192.0.2.1'], '6.6.6.6, 203.0.113.7')).toBe('10.0.0.5');
  });

  it('without trust, ignores X-Forwarded-For', async () => {
    expect(await ipSeen(false, '6.6.6.6')).toBe('10.0.0.5');
  });

  it('refuses trustProxy: true in production, which would let clients pick their own IP', () => {
    const err = (() => {
      try {
        checkConfig({ mode: 'production', publicUrl: 'https://login.example.com', trustProxy: true });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.problems.find((p) => p.startsWith('trustProxy'))).toMatch(/must not be true in production/);
    expect(checkConfig({ publicUrl: 'https://login.example.com', trustProxy: 2 }).trustProxy).toBe(2);
  });
});
