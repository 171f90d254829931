/**
 * Owns the construction of the OIDC bridge: every part built once, in dependency order, by this
 * one factory, with nothing bound late. The order is the dependency graph:
 *
 *   signing keys, cookie keys
 *   session bindings  ->  session checks  ->  adapters (read ahead through the checks)
 *                                         ->  provider (accounts through the checks)
 *   provider (its own logout sender), queue  ->  deliverer  ->  provider's logout routed through it
 *   provider, bindings, deliverer, adapters  ->  KratosBoundSessions (ending sessions)
 *   provider hooks and events  ->  (routes mounted by Bridge.register)
 */
import { randomBytes } from 'node:crypto';
import type { Tracer } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/audit-log.ts';
import type { ClientMetadata, ClientRegistry } from '../clients/client-registry.ts';
import { checkClientSecretsAgainstDigests } from '../clients/provider-secret-check.ts';
import type { HubConfig } from '../config/hub-config.ts';
import type { KratosClient } from '../kratos/kratos-client.ts';
import type { HubMetrics } from '../metrics/hub-metrics.ts';
import type { Storage } from '../storage/storage.ts';
import { createAdapterFactory } from './adapter/create-adapter-factory.ts';
import type { Bridge, ClientDisplay } from './bridge.ts';
import { registerInteractions } from './interactions/register-interactions.ts';
import { createBackchannelDeliverer } from './logout/backchannel-deliverer.ts';
import { createBackchannelDeliveries } from './logout/backchannel-deliveries.ts';
import { createBackchannelQueue } from './logout/create-backchannel-queue.ts';
import { mintLogoutToken } from './logout/mint-logout-token.ts';
import { providerLogoutSender, routeProviderLogoutThrough } from './logout/provider-backchannel.ts';
import { createProvider } from './provider/create-provider.ts';
import { mountProvider } from './provider/mount-provider.ts';
import { registerProviderEvents } from './provider/provider-events.ts';
import { providerPaths } from './provider/provider-internals.ts';
import { loadSigningKeys } from './provider/signing-keys.ts';
import { AccountApps } from './sessions/account-apps.ts';
import { KratosBoundSessions } from './sessions/kratos-bound-sessions.ts';
import { registerProviderHooks } from './sessions/provider-hooks.ts';
import { createSessionBindings } from './sessions/session-bindings.ts';
import { SessionChecks } from './sessions/session-checks.ts';

/** What the bridge is built from: the hub's shared services. */
export interface BridgeDependencies {
  config: Readonly<HubConfig>;
  log: Logger;
  storage: Storage;
  clients: ClientRegistry;
  kratos: KratosClient;
  audit: AuditLog;
  metrics: HubMetrics;
  /** Whether requests are traced: the provider's steps then become span events (tracing/). */
  traced?: boolean;
  /** The hub's tracer when tracing is on: back-channel deliveries are spans of their logout's trace. */
  tracer?: Tracer;
}

/**
 * Builds the OIDC provider of the login domain (issuer `${publicUrl}${bridge.path}`) and what the
 * rest of the hub uses to end sessions everywhere. Its routes (the provider under bridge.path,
 * the interaction pages) are added by `register(app)`, which also starts back-channel delivery.
 */
export async function createBridge(deps: BridgeDependencies): Promise<Bridge> {
  const { config, log, storage, clients, kratos, audit } = deps;
  const issuer = `${config.publicUrl}${config.bridge.path}`;
  const shortcuts = config.bridge.shortcuts;
  const keys = await loadSigningKeys(config.bridge.signingKeys, log);
  let cookieKeys = config.bridge.cookieKeys;
  if (cookieKeys.length === 0) {
    log.warn('ssohub WARNING: bridge.cookieKeys is empty, so an ephemeral cookie key was generated. Sign-ins in progress break on restart and other hub instances reject this instance\'s cookies. Configure bridge.cookieKeys (SSOHUB_COOKIE_KEYS).');
    cookieKeys = [randomBytes(32).toString('base64url')];
  }
  if (!shortcuts) log.warn('bridge.shortcuts is off: every provider request takes the plain path (more Redis round trips and Kratos calls per sign-in and refresh)');

  const bindings = createSessionBindings(storage);
  const checks = new SessionChecks({ kratos, bindings, sessionTtl: config.bridge.ttl.session, codeTtl: config.bridge.ttl.authorizationCode });
  const adapters = createAdapterFactory(storage, clients, { readAhead: checks.readAhead });
  const provider = createProvider({
    issuer,
    config: config.bridge,
    keys,
    cookieKeys: [...cookieKeys],
    adapters,
    clients,
    kratos,
    checks,
    shortcuts,
    trustProxy: config.trustProxy,
    log,
  });
  // Onboarded clients' secrets are stored as digests (decision 0012).
  checkClientSecretsAgainstDigests(provider);
  // Every back-channel logout, the provider's own end_session ones included, is a stored job of
  // the deliverer before its first attempt (ADR 0009).
  const queue = createBackchannelQueue(storage);
  deps.metrics.backchannel.readQueueDepth = () => queue.depth();
  deps.metrics.backchannel.readQueueOldestMs = () => queue.oldestAgeMs();
  deps.metrics.oidc.readSessions = () => adapters('Session').countLive();
  const deliverer = createBackchannelDeliverer({
    send: providerLogoutSender(provider),
    queue,
    audit,
    log,
    metrics: deps.metrics.backchannel,
    ...config.bridge.backchannel,
    ...(deps.tracer ? { tracer: deps.tracer } : {}),
  });
  routeProviderLogoutThrough(provider, deliverer);
  const sessions = new KratosBoundSessions({ provider, kratos, bindings, deliverer, adapters, audit });
  const accountApps = new AccountApps({ provider, bindings, deliverer, adapters, clients });
  registerProviderHooks(provider, { kratos, checks, sessions, audit, log, shortcuts });
  registerProviderEvents(provider, { audit, log, metrics: deps.metrics.oidc });

  return {
    issuer,
    provider,
    tokenPath: `${config.bridge.path}${providerPaths(provider).token}`,
    async register(app: FastifyInstance) {
      await mountProvider(app, provider, config.bridge.path, { https: config.publicUrl.startsWith('https:'), traced: deps.traced === true });
      registerInteractions(app, { provider, kratos, audit, publicUrl: config.publicUrl, shortcuts, verifiedEmail: { required: config.bridge.requireVerifiedEmail, claims: config.bridge.claims } });
      deliverer.start();
      log.info({ issuer, signingKeys: keys.map((k) => ({ kid: k.kid, alg: k.alg })) }, 'OIDC bridge mounted');
    },
    endKratosSession: (kratosSessionId, reason) => sessions.endKratosSession(kratosSessionId, reason),
    listBindings: (identityId) => sessions.listBindings(identityId),
    mintLogoutToken: (clientId, target) => mintLogoutToken(provider, clientId, target),
    revokeClient: (clientId) => sessions.revokeClient(clientId),
    listAccountApps: (identityId) => accountApps.list(identityId),
    revokeAccountApp: (identityId, clientId, reason) => accountApps.revoke(identityId, clientId, reason),
    async clientOfInteraction(uid) {
      const interaction = await provider.Interaction.find(uid);
      const clientId = interaction?.params?.client_id;
      if (typeof clientId !== 'string') return undefined;
      const registered = await clients.find(clientId);
      return registered ? clientDisplay(registered.metadata) : undefined;
    },
    backchannelDeliveries: createBackchannelDeliveries({ queue, audit, poll: deliverer.poll }),
    async close() {
      deliverer.stop();
      adapters.close();
    },
  };
}

/** What the pages show of a client: its registered name and addresses (strings only). */
export function clientDisplay(m: ClientMetadata): ClientDisplay {
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  return { clientId: m.client_id, name: text(m.client_name) ?? m.client_id, clientUri: text(m.client_uri), logoUri: text(m.logo_uri), policyUri: text(m.policy_uri), tosUri: text(m.tos_uri) };
}
