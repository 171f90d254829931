import type { SessionRecord } from './session-record.ts';
import type { SessionStore } from './session-store.ts';

/** Options of {@link MemorySessionStore}. */
export interface MemorySessionStoreOptions {
  /** The client app whose sessions this store holds. */
  clientId: string;
  /** Where the development warning goes; `console.warn` by default. */
  warn?: (message: string) => void;
}

interface Entry<T> {
  value: T;
  expiresAtMs: number;
}

/**
 * MemorySessionStore keeps sessions in this process's memory. It is for development and tests
 * only: sessions are lost on restart and not shared between instances, so it warns loudly when
 * created, and `createSsoClient` refuses it when `NODE_ENV=production`.
 *
 * @example
 * ```ts
 * const store = new MemorySessionStore({ clientId: 'app-a' });
 * const client = await createSsoClient({ ...options, store });
 * ```
 */
export class MemorySessionStore implements SessionStore {
  readonly clientId: string;
  readonly description = 'memory: data lost on restart, not shared between instances';
  readonly volatile = true;
  #sessions = new Map<string, Entry<SessionRecord>>();
  #bySid = new Map<string, Set<string>>();
  #bySub = new Map<string, Set<string>>();
  #claims = new Map<string, number>();

  constructor(options: MemorySessionStoreOptions) {
    if (typeof options?.clientId !== 'string' || options.clientId === '') {
      throw new TypeError('MemorySessionStoreOptions.clientId must be a non-empty string');
    }
    this.clientId = options.clientId;
    (options.warn ?? console.warn)(
      `ssohub WARNING: MemorySessionStore in use for client "${this.clientId}": sessions are lost on restart and not shared between instances; use RedisSessionStore in production`,
    );
  }

  async get(id: string, touchTtl?: number): Promise<SessionRecord | undefined> {
    const entry = this.#sessions.get(id);
    if (!entry) return undefined;
    if (entry.expiresAtMs <= Date.now()) {
      this.#drop(id, entry.value);
      return undefined;
    }
    if (touchTtl !== undefined) entry.expiresAtMs = Date.now() + touchTtl * 1000;
    // A copy, so callers mutating the record cannot change the store behind its back (Redis
    // behaves the same way, and the contract suite checks it).
    return structuredClone(entry.value);
  }

  async set(record: SessionRecord, ttlSeconds: number, options: { onlyIfExists?: boolean } = {}): Promise<boolean> {
    const previous = this.#sessions.get(record.id);
    if (options.onlyIfExists && (!previous || previous.expiresAtMs <= Date.now())) return false;
    if (previous) this.#unindex(record.id, previous.value);
    this.#sessions.set(record.id, { value: structuredClone(record), expiresAtMs: Date.now() + ttlSeconds * 1000 });
    if (record.sid) addTo(this.#bySid, record.sid, record.id);
    addTo(this.#bySub, record.claims.sub, record.id);
    return true;
  }

  async destroy(id: string): Promise<void> {
    const entry = this.#sessions.get(id);
    if (entry) this.#drop(id, entry.value);
  }

  async findBySid(sid: string): Promise<string[]> {
    return this.#live(this.#bySid.get(sid));
  }

  async findBySub(sub: string): Promise<string[]> {
    return this.#live(this.#bySub.get(sub));
  }

  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    const now = Date.now();
    const until = this.#claims.get(key);
    if (until !== undefined && until > now) return false;
    this.#claims.set(key, now + ttlSeconds * 1000);
    if (this.#claims.size > 10_000) for (const [k, t] of this.#claims) if (t <= now) this.#claims.delete(k);
    return true;
  }

  async release(key: string): Promise<void> {
    this.#claims.delete(key);
  }

  #live(ids: Set<string> | undefined): string[] {
    if (!ids) return [];
    const now = Date.now();
    return [...ids].filter((id) => (this.#sessions.get(id)?.expiresAtMs ?? 0) > now);
  }

  #drop(id: string, record: SessionRecord): void {
    this.#sessions.delete(id);
    this.#unindex(id, record);
  }

  #unindex(id: string, record: SessionRecord): void {
    if (record.sid) removeFrom(this.#bySid, record.sid, id);
    removeFrom(this.#bySub, record.claims.sub, id);
  }
}

function addTo(index: Map<string, Set<string>>, key: string, id: string): void {
  const ids = index.get(key) ?? new Set<string>();
  ids.add(id);
  index.set(key, ids);
}

function removeFrom(index: Map<string, Set<string>>, key: string, id: string): void {
  const ids = index.get(key);
  if (!ids) return;
  ids.delete(id);
  if (ids.size === 0) index.delete(key);
}
