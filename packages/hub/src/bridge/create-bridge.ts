import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { checkClientSecretsAgainstDigests } from '../clients/provider-secret-check.ts';
import type { HubContext } from '../hub-context.ts';
import { createAdapterFactory } from './adapter/create-adapter-factory.ts';
import type { Bridge } from './bridge.ts';
import { registerInteractions } from './interactions/register-interactions.ts';
import { createBackchannelDeliverer } from './logout/backchannel-deliverer.ts';
import { createBackchannelQueue } from './logout/backchannel-queue.ts';
import { mintLogoutToken } from './logout/mint-logout-token.ts';
import { takeOverProviderBackchannel } from './logout/provider-backchannel.ts';
import { createProvider } from './provider/create-provider.ts';
import { mountProvider } from './provider/mount-provider.ts';
import { registerProviderEvents } from './provider/provider-events.ts';
import { loadSigningKeys } from './provider/signing-keys.ts';
import { KratosBoundSessions } from './sessions/kratos-bound-sessions.ts';
import { registerProviderHooks } from './sessions/provider-hooks.ts';
import { createSessionBindings } from './sessions/session-bindings.ts';

/**
 * Mounts the OIDC provider on the login domain (issuer `${publicUrl}${bridge.path}`), its
 * interaction routes at /interaction/:uid, and returns what the rest of the hub uses to end
 * sessions everywhere.
 */
export async function registerBridge(app: FastifyInstance, ctx: HubContext): Promise<Bridge> {
  const { config, log } = ctx;
  const issuer = `${config.publicUrl}${config.bridge.path}`;
  const keys = await loadSigningKeys(config.bridge.signingKeys, log);
  let cookieKeys = config.bridge.cookieKeys;
  if (cookieKeys.length === 0) {
    log.warn('ssohub WARNING: bridge.cookieKeys is empty, so an ephemeral cookie key was generated. Sign-ins in progress break on restart and other hub instances reject this instance\'s cookies. Configure bridge.cookieKeys (SSOHUB_COOKIE_KEYS).');
    cookieKeys = [randomBytes(32).toString('base64url')];
  }

  const adapters = createAdapterFactory(ctx.storage, ctx.clients);
  let sessions: KratosBoundSessions | undefined;
  const provider = createProvider({
    issuer,
    config: config.bridge,
    keys,
    cookieKeys: [...cookieKeys],
    adapters,
    clients: ctx.clients,
    kratos: ctx.kratos,
    sessions: () => sessions!,
    trustProxy: config.trustProxy,
    log,
  });
  // Onboarded clients' secrets are stored as digests (decision 0012).
  checkClientSecretsAgainstDigests(provider);
  // Every back-channel logout, the provider's own end_session ones included, is a stored job of
  // the deliverer before its first attempt (ADR 0009).
  const providerBackchannel = takeOverProviderBackchannel(provider);
  const queue = createBackchannelQueue(ctx.storage);
  if (ctx.metrics) ctx.metrics.backchannel.readQueueDepth = () => queue.depth();
  const deliverer = createBackchannelDeliverer({
    send: providerBackchannel.send,
    queue,
    audit: ctx.audit,
    log,
    metrics: ctx.metrics?.backchannel,
    ...config.bridge.backchannel,
  });
  providerBackchannel.routeThrough(deliverer);
  sessions = new KratosBoundSessions({
    provider,
    kratos: ctx.kratos,
    bindings: createSessionBindings(ctx.storage),
    deliverer,
    adapters,
    audit: ctx.audit,
    sessionTtl: config.bridge.ttl.session,
    codeTtl: config.bridge.ttl.authorizationCode,
  });
  adapters.readAhead(sessions.readAhead);
  registerProviderHooks(provider, { kratos: ctx.kratos, sessions, audit: ctx.audit, log });
  registerProviderEvents(provider, { audit: ctx.audit, log });
  await mountProvider(app, provider, config.bridge.path, { https: config.publicUrl.startsWith('https:') });
  registerInteractions(app, ctx, provider);
  deliverer.start();
  log.info({ issuer, signingKeys: keys.map((k) => ({ kid: k.kid, alg: k.alg })) }, 'OIDC bridge mounted');

  const bound = sessions;
  return {
    issuer,
    provider,
    async endKratosSession(kratosSessionId, reason) {
      await bound.endKratosSession(kratosSessionId, reason);
    },
    async listBindings(identityId) {
      return bound.listBindings(identityId);
    },
    mintLogoutToken(clientId, target) {
      return mintLogoutToken(provider, clientId, target);
    },
    revokeClient(clientId) {
      return bound.revokeClient(clientId);
    },
    async close() {
      deliverer.stop();
      adapters.close();
    },
  };
}
