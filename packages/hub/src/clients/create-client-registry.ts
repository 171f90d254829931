import type { AuditLog } from '../audit/audit-log.ts';
import { ConfigError, SsoHubError } from '../errors/ssohub-error.ts';
import type { Storage } from '../storage/storage.ts';
import { findClientProblems, ID_TOKEN_ALGS, isServiceClient } from './check-client-metadata.ts';
import type { ClientMetadata, ClientRegistry, RegisteredClient } from './client-registry.ts';
import { digestClientSecret, generateClientSecret, isSecretDigest } from './client-secret.ts';

interface StoredClient {
  /** `client_secret` here is always a digest (client-secret.ts), never the secret. */
  metadata: ClientMetadata;
  createdAt: string;
  updatedAt: string;
}

/** A record as read, with the exact text stored (for compare-and-set). */
interface ReadRecord {
  record: StoredClient;
  raw: string;
}

/** Where API-created clients live: one JSON record per client plus a set of ids. */
interface ClientStore {
  get(id: string): Promise<ReadRecord | undefined>;
  all(): Promise<ReadRecord[]>;
  /** Writes only when no record exists; false when the id is taken. */
  insert(record: StoredClient): Promise<boolean>;
  /** Writes only while the stored text is still `raw`; false when it changed or went meanwhile. */
  replace(raw: string, record: StoredClient): Promise<boolean>;
  remove(id: string): Promise<boolean>;
}

/** How many times a change is re-applied to a client that keeps changing under it before 409. */
const CHANGE_ATTEMPTS = 5;

/** ClientValidationError lists every problem of a client definition, each naming its field. */
export class ClientValidationError extends SsoHubError {
  override name = 'ClientValidationError';
  readonly problems: string[];
  constructor(problems: string[]) {
    super('SSOHUB_ERR_VALIDATION', `invalid client: ${problems.join('; ')}`, { status: 400, detail: { problems } });
    this.problems = problems;
  }
}

/**
 * Builds the registry: static clients from configuration (validated here, at startup, by the same
 * rules as API clients; a bad one fails startup with a ConfigError naming `bridge.clients[i].field`)
 * and clients created through the admin API, kept in the store under `${prefix}clients:<id>`.
 * Nothing is cached in process memory, so every hub instance sees a change at once.
 */
export function createClientRegistry({
  staticClients,
  storage,
  audit,
  mode = 'production',
  idTokenAlgs,
}: {
  staticClients: readonly ClientMetadata[];
  storage: Storage;
  audit: AuditLog;
  /** development accepts http redirect URIs on localhost. Default production (the strict rules). */
  mode?: 'production' | 'development';
  /** Algorithms the hub can sign ID tokens with (idTokenAlgorithms(bridge.signingKeys)). */
  idTokenAlgs?: readonly string[];
}): ClientRegistry {
  const problems = staticClients.flatMap((c, i) => findClientProblems(c, { mode, idTokenAlgs, path: `bridge.clients[${i}].` }));
  const ids = new Set<string>();
  staticClients.forEach((c, i) => {
    if (ids.has(c.client_id)) problems.push(`bridge.clients[${i}].client_id duplicates "${c.client_id}"`);
    ids.add(c.client_id);
  });
  if (problems.length > 0) throw new ConfigError(problems);

  const store = storage.kind === 'redis' ? redisClientStore(storage) : memoryClientStore();
  const fromConfig = (metadata: ClientMetadata): RegisteredClient => ({ metadata, source: 'config', createdAt: undefined, updatedAt: undefined });
  const fromStore = (r: StoredClient): RegisteredClient => ({ metadata: r.metadata, source: 'api', createdAt: r.createdAt, updatedAt: r.updatedAt });
  /** What create, rotate-secret and a minting update answer: the clear secret, this once. */
  const withSecret = (r: StoredClient, secret: string | undefined): RegisteredClient => {
    const shown = fromStore(r);
    return secret === undefined ? shown : { ...shown, metadata: { ...shown.metadata, client_secret: secret } };
  };
  const staticById = new Map(staticClients.map((c) => [c.client_id, withServiceShape(c)]));

  /**
   * A record written before secrets were hashed holds its secret in clear: rewrite it with the
   * digest (only if nobody changed it meanwhile) and use the digest from now on. The client keeps
   * working: its secret still matches.
   */
  const migrated = async ({ record, raw }: ReadRecord): Promise<StoredClient | undefined> => {
    const secret = record.metadata.client_secret;
    if (secret === undefined || isSecretDigest(secret)) return record;
    const next: StoredClient = { ...record, metadata: { ...record.metadata, client_secret: digestClientSecret(secret) } };
    // A failed rewrite must not fail the read (a token request): the next read tries again.
    const replaced = await store.replace(raw, next).catch(() => undefined);
    if (replaced === undefined) return next;
    if (replaced) {
      audit.record({ type: 'client.secret_hashed', actor: 'system', clientId: record.metadata.client_id, outcome: 'info' });
      return next;
    }
    // Changed meanwhile (rotated, updated, deleted): read what is there now.
    const now = await store.get(record.metadata.client_id);
    return now ? migrated(now) : undefined;
  };
  const load = async (id: string): Promise<StoredClient | undefined> => {
    const read = await store.get(id);
    return read ? migrated(read) : undefined;
  };
  /** Every stored client, clear secrets rewritten as digests on the way. */
  const loadAll = async (): Promise<StoredClient[]> =>
    (await Promise.all((await store.all()).map(migrated))).filter((r): r is StoredClient => r !== undefined);
  // At startup, rewrite every record still holding a clear secret rather than wait for its first
  // read; a failure here (store unreachable) leaves it to that first read.
  loadAll().catch(() => undefined);

  const validate = (metadata: unknown, secretGenerated = false) => {
    const found = findClientProblems(metadata, { mode, secretGenerated, idTokenAlgs });
    if (found.length > 0) throw new ClientValidationError(found);
  };
  const mustBeApiClient = async (clientId: string): Promise<StoredClient> => {
    refuseStatic(clientId);
    const record = await load(clientId);
    if (!record) throw notFound(clientId);
    return record;
  };
  const refuseStatic = (clientId: string) => {
    if (staticById.has(clientId)) {
      throw new SsoHubError(
        'SSOHUB_ERR_CONFLICT',
        `client "${clientId}" comes from the hub's configuration (bridge.clients); change it there and restart the hub`,
        { status: 409 },
      );
    }
  };
  /**
   * Applies `make` to the stored record and writes the result only if the record is still the one
   * read (compare-and-set), else reads again and re-applies: two admins (or an update and a secret
   * rotation) changing one client at once both land, and a client deleted meanwhile stays deleted
   * (404) instead of being written back.
   */
  const change = async <T>(clientId: string, make: (record: StoredClient) => { next: StoredClient; result: T }): Promise<T> => {
    refuseStatic(clientId);
    for (let attempt = 0; attempt < CHANGE_ATTEMPTS; attempt++) {
      const read = await store.get(clientId);
      if (!read) throw notFound(clientId);
      const current = await migrated(read);
      if (!current) throw notFound(clientId);
      // A clear secret was just rewritten as its digest: read the text now stored.
      if (current !== read.record) continue;
      const { next, result } = make(current);
      if (await store.replace(read.raw, next)) return result;
    }
    throw new SsoHubError('SSOHUB_ERR_CONFLICT', `client "${clientId}" kept changing while this change was being made; try again`, { status: 409 });
  };

  return {
    async find(id) {
      const m = staticById.get(id);
      if (m) return fromConfig(m);
      const record = await load(id);
      return record ? fromStore(record) : undefined;
    },

    async list() {
      const api = (await loadAll()).map(fromStore).sort((a, b) => a.metadata.client_id.localeCompare(b.metadata.client_id));
      return [...[...staticById.values()].map(fromConfig), ...api];
    },

    async create(input, actor) {
      validate(input, true);
      const { client_secret: _none, ...rest } = input;
      if (staticById.has(rest.client_id)) throw conflict(rest.client_id);
      const now = new Date().toISOString();
      const secret = usesSecret(rest) ? generateClientSecret() : undefined;
      const metadata: ClientMetadata = {
        ...withServiceShape(rest),
        id_token_signed_response_alg: rest.id_token_signed_response_alg ?? onboardingIdTokenAlg(idTokenAlgs),
        ...(secret === undefined ? {} : { client_secret: digestClientSecret(secret) }),
      };
      const record: StoredClient = { metadata, createdAt: now, updatedAt: now };
      if (!(await store.insert(record))) throw conflict(rest.client_id);
      audit.record({ type: 'client.created', actor, clientId: metadata.client_id, outcome: 'success', changes: describeFields(rest) });
      return withSecret(record, secret);
    },

    async update(clientId, changes, actor) {
      refuseStatic(clientId);
      if (changes.client_id !== undefined && changes.client_id !== clientId) {
        throw new ClientValidationError(['client_id cannot be changed; create a new client and delete this one']);
      }
      if (changes.client_secret !== undefined) {
        throw new ClientValidationError(['client_secret cannot be set; use rotate-secret (POST /admin/clients/:id/rotate-secret)']);
      }
      const answer = await change(clientId, (record) => {
        const merged: Record<string, unknown> = { ...record.metadata };
        for (const [k, v] of Object.entries(changes)) {
          if (v === null) delete merged[k];
          else if (v !== undefined) merged[k] = v;
        }
        const next = merged as ClientMetadata;
        // Switching between public and confidential: drop or mint the secret.
        let minted: string | undefined;
        if (!usesSecret(next)) delete next.client_secret;
        else if (!next.client_secret) {
          minted = generateClientSecret();
          next.client_secret = digestClientSecret(minted);
        }
        validate(next);
        const updated: StoredClient = { metadata: withServiceShape(next), createdAt: record.createdAt, updatedAt: new Date().toISOString() };
        return { next: updated, result: withSecret(updated, minted) };
      });
      audit.record({ type: 'client.updated', actor, clientId, outcome: 'success', changes: describeFields(changes) });
      return answer;
    },

    async rotateSecret(clientId, actor) {
      const answer = await change(clientId, (record) => {
        if (!usesSecret(record.metadata)) {
          throw new SsoHubError(
            'SSOHUB_ERR_CONFLICT',
            `client "${clientId}" uses token_endpoint_auth_method ${record.metadata.token_endpoint_auth_method} and has no secret to rotate`,
            { status: 409 },
          );
        }
        const secret = generateClientSecret();
        const updated: StoredClient = {
          metadata: { ...record.metadata, client_secret: digestClientSecret(secret) },
          createdAt: record.createdAt,
          updatedAt: new Date().toISOString(),
        };
        return { next: updated, result: withSecret(updated, secret) };
      });
      audit.record({ type: 'client.secret_rotated', actor, clientId, outcome: 'success' });
      return answer;
    },

    async delete(clientId, actor) {
      await mustBeApiClient(clientId);
      if (!(await store.remove(clientId))) throw notFound(clientId);
      audit.record({ type: 'client.deleted', actor, clientId, outcome: 'success' });
    },
  };
}

/**
 * The ID token algorithm a client gets when its onboarding names none (decision 0008): ES256
 * when the hub holds an ES256 key, else RS256. It is stored with the client, so a client keeps
 * its algorithm whatever the hub's keys or this default later become; clients created before
 * the default existed have none stored and keep oidc-provider's RS256. Static clients
 * (bridge.clients) are not given one: their metadata is read afresh at every start, and a new
 * default would change the tokens of apps already running.
 */
function onboardingIdTokenAlg(idTokenAlgs: readonly string[] = ID_TOKEN_ALGS): 'RS256' | 'ES256' {
  return idTokenAlgs.includes('ES256') ? 'ES256' : 'RS256';
}

/**
 * A service client as oidc-provider must see it: no redirect URIs and no response types written
 * out, since the provider's defaults (response type `code`) would otherwise demand redirect URIs.
 * Callers may leave both out (check-client-metadata.ts refuses any other value).
 */
function withServiceShape<T extends Partial<ClientMetadata>>(m: T): T {
  return isServiceClient(m) ? { ...m, redirect_uris: [], response_types: [] } : m;
}

function usesSecret(m: Partial<ClientMetadata>): boolean {
  const method = m.token_endpoint_auth_method ?? 'client_secret_basic';
  return method === 'client_secret_basic' || method === 'client_secret_post';
}

/** Which fields a change touched, for the audit trail (names only, never values). */
function describeFields(m: Record<string, unknown>): string[] {
  return Object.keys(m).filter((k) => k !== 'client_secret').sort();
}

const notFound = (id: string) =>
  new SsoHubError('SSOHUB_ERR_NOT_FOUND', `there is no client "${id}"; list clients with GET /admin/clients (ssohub clients list)`, { status: 404 });
const conflict = (id: string) =>
  new SsoHubError('SSOHUB_ERR_CONFLICT', `a client "${id}" already exists; choose another client_id`, { status: 409 });

function memoryClientStore(): ClientStore {
  const records = new Map<string, string>();
  const read = (raw: string | undefined): ReadRecord | undefined => (raw === undefined ? undefined : { record: JSON.parse(raw) as StoredClient, raw });
  return {
    async get(id) {
      return read(records.get(id));
    },
    async all() {
      return [...records.values()].map((raw) => read(raw)!);
    },
    async insert(record) {
      if (records.has(record.metadata.client_id)) return false;
      records.set(record.metadata.client_id, JSON.stringify(record));
      return true;
    },
    async replace(raw, record) {
      if (records.get(record.metadata.client_id) !== raw) return false;
      records.set(record.metadata.client_id, JSON.stringify(record));
      return true;
    },
    async remove(id) {
      return records.delete(id);
    },
  };
}

/** SET the key to ARGV[2] only while it still holds ARGV[1]. */
const REPLACE_IF_UNCHANGED = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 end return 0`;

/**
 * Redis layout: `${prefix}clients:<client_id>` holds the JSON record; `${prefix}clients:_ids` is
 * the set of ids (client ids start with a letter or digit, so `_ids` never collides).
 */
function redisClientStore(storage: Extract<Storage, { kind: 'redis' }>): ClientStore {
  const { redis, prefix } = storage;
  const keyOf = (id: string) => `${prefix}clients:${id}`;
  const idsKey = `${prefix}clients:_ids`;
  const read = (raw: string): ReadRecord => ({ record: JSON.parse(raw) as StoredClient, raw });
  return {
    async get(id) {
      const raw = await redis.get(keyOf(id));
      return raw === null ? undefined : read(raw);
    },
    async all() {
      const ids = await redis.smembers(idsKey);
      if (ids.length === 0) return [];
      const raws = await redis.mget(ids.map(keyOf));
      return raws.filter((r): r is string => r !== null).map(read);
    },
    async insert(record) {
      const id = record.metadata.client_id;
      const ok = await redis.set(keyOf(id), JSON.stringify(record), 'NX');
      if (ok !== 'OK') return false;
      await redis.sadd(idsKey, id);
      return true;
    },
    async replace(raw, record) {
      return Number(await redis.eval(REPLACE_IF_UNCHANGED, 1, keyOf(record.metadata.client_id), raw, JSON.stringify(record))) === 1;
    },
    async remove(id) {
      const results = await redis.multi().del(keyOf(id)).srem(idsKey, id).exec();
      return Number(results?.[0]?.[1] ?? 0) > 0;
    },
  };
}
