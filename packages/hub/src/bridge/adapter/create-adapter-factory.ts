/**
 * Owns oidc-provider's adapter: which store answers each model (Redis or memory, as configured;
 * `Client` always the client registry, read-only), every stored model wrapped for request scopes.
 */
import type { AdapterPayload } from 'oidc-provider';
import type { ClientMetadata, ClientRegistry } from '../../clients/client-registry.ts';
import type { Storage } from '../../storage/storage.ts';
import { MemoryModelStore, MemoryState } from './memory-model-store.ts';
import type { ModelStore } from './model-store.ts';
import { RedisModelStore } from './redis-model-store.ts';
import { type AfterFind, requestScopedReads } from './request-scoped-reads.ts';

/** Client metadata the provider understands besides RFC 7591 (see create-provider.ts). */
export const HUB_CLIENT_PROPERTIES = ['ssohub_first_party', 'ssohub_access_token_ttl', 'ssohub_refresh_token_ttl'] as const;

export interface AdapterFactory {
  (name: string): ModelStore;
  close(): void;
}

/**
 * Sees every artefact a request reads by id, with the factory to start the reads that will
 * follow (SessionChecks.readAhead).
 */
export type ReadAhead = (model: string, payload: AdapterPayload, adapters: (name: string) => ModelStore) => void;

/**
 * Builds oidc-provider's adapter for the configured store. The `Client` model reads through the
 * client registry on every lookup, so clients onboarded through the admin API work at once and a
 * deleted client stops working at once (oidc-provider caches client objects by a hash of their
 * metadata, so changed metadata yields a fresh client).
 */
export function createAdapterFactory(storage: Storage, clients: ClientRegistry, { readAhead }: { readAhead?: ReadAhead } = {}): AdapterFactory {
  const memory = storage.kind === 'memory' ? new MemoryState() : undefined;
  const stores = new Map<string, ModelStore>();
  const afterFind: AfterFind | undefined = readAhead && ((model, payload) => readAhead(model, payload, factory));
  const factory = ((name: string): ModelStore => {
    const existing = stores.get(name);
    if (existing) return existing;
    let store: ModelStore;
    if (name === 'Client') store = new RegistryClientStore(clients);
    else if (storage.kind === 'redis') store = new RedisModelStore(name, storage.redis, storage.prefix, { consumeWithinMs: storage.commandTimeoutMs });
    else store = new MemoryModelStore(name, memory!);
    // Request scopes (request-scope.ts) for every stored model: reads shared within a request
    // (the /auth re-check and the provider both load the session), writes deferred where the
    // request allows it (the token endpoint), and read-ahead from a token to its grant and session.
    if (name !== 'Client') store = requestScopedReads(store, name, afterFind);
    stores.set(name, store);
    return store;
  }) as AdapterFactory;
  factory.close = () => memory?.close();
  return factory;
}

/** Read-only view of the client registry in the shape oidc-provider's Client model expects. */
class RegistryClientStore implements ModelStore {
  private readonly clients: ClientRegistry;
  constructor(clients: ClientRegistry) {
    this.clients = clients;
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const found = await this.clients.find(id);
    return found ? toProviderMetadata(found.metadata) : undefined;
  }

  // Clients change only through the registry (admin API, configuration), never via the provider.
  async upsert(): Promise<void> {
    throw new Error('clients are managed through the client registry, not the provider');
  }
  async findByUid(): Promise<undefined> {
    return undefined;
  }
  async findByUserCode(): Promise<undefined> {
    return undefined;
  }
  async consume(): Promise<void> {}
  async destroy(): Promise<void> {}
  async revokeByGrantId(): Promise<void> {}
  async grantsOfClient(): Promise<string[]> {
    return [];
  }
  async grantsOfAccount(): Promise<string[]> {
    return [];
  }
  async countLive(): Promise<number> {
    return 0;
  }
}

/** Drops hub bookkeeping the provider has no use for; keeps the ssohub_* flags it reads. */
export function toProviderMetadata(metadata: ClientMetadata): AdapterPayload {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(metadata)) {
    if (v === undefined) continue;
    if (k.startsWith('ssohub_') && !(HUB_CLIENT_PROPERTIES as readonly string[]).includes(k)) continue;
    out[k] = v;
  }
  return out as AdapterPayload;
}
