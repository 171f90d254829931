/**
 * Owns the provider's models in process memory, for the demo and unit tests: the twin of
 * redis-model-store.ts, with the same semantics (one contract suite, model-store-contract.ts,
 * runs against both).
 */
import { ACCOUNT_INDEXED_MODEL, type AdapterPayload, CLIENT_INDEXED_MODEL, COUNTED_MODELS, epochNow, type ModelStore } from './model-store.ts';

interface Entry {
  payload: AdapterPayload;
  consumed: number | undefined;
  /** Epoch seconds; undefined = no expiry. */
  exp: number | undefined;
}

/**
 * GrantIndex keeps grant ids under an owner (a client, an account), each with its expiry (epoch
 * seconds; undefined = none): the memory twin of the Redis store's sorted sets.
 */
class GrantIndex {
  private readonly owners = new Map<string, Map<string, number | undefined>>();

  add(owner: string, grantId: string, exp: number | undefined): void {
    const grants = this.owners.get(owner) ?? new Map<string, number | undefined>();
    grants.set(grantId, exp);
    this.owners.set(owner, grants);
  }

  remove(owner: string, grantId: string): void {
    const grants = this.owners.get(owner);
    grants?.delete(grantId);
    if (grants?.size === 0) this.owners.delete(owner);
  }

  /** The owner's grants not yet expired; the expired ones are dropped. */
  live(owner: string): string[] {
    const grants = this.owners.get(owner);
    if (!grants) return [];
    const now = epochNow();
    for (const [g, exp] of grants) if (exp !== undefined && exp <= now) grants.delete(g);
    if (grants.size === 0) this.owners.delete(owner);
    return [...grants.keys()];
  }

  sweep(): void {
    for (const owner of [...this.owners.keys()]) this.live(owner);
  }
}

/**
 * MemoryState is the shared map all memory model stores of one hub write to: lost on restart
 * and invisible to other hub instances (the hub warns once at startup when the memory store is
 * in use).
 */
export class MemoryState {
  readonly entries = new Map<string, Entry>();
  readonly grants = new Map<string, Set<string>>();
  readonly indexes = new Map<string, string>();
  readonly clientGrants = new GrantIndex();
  readonly accountGrants = new GrantIndex();
  private readonly sweeper: NodeJS.Timeout;

  constructor() {
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  get(key: string): Entry | undefined {
    const e = this.entries.get(key);
    if (e?.exp !== undefined && e.exp <= epochNow()) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  private sweep(): void {
    const now = epochNow();
    for (const [k, e] of this.entries) if (e.exp !== undefined && e.exp <= now) this.entries.delete(k);
    for (const [g, keys] of this.grants) {
      for (const k of keys) if (!this.entries.has(k)) keys.delete(k);
      if (keys.size === 0) this.grants.delete(g);
    }
    for (const [k, id] of this.indexes) if (!this.entries.has(id)) this.indexes.delete(k);
    this.clientGrants.sweep();
    this.accountGrants.sweep();
  }

  close(): void {
    clearInterval(this.sweeper);
  }
}

/** One model's store, in the hub's MemoryState. */
export class MemoryModelStore implements ModelStore {
  readonly name: string;
  private readonly state: MemoryState;

  constructor(name: string, state: MemoryState) {
    this.name = name;
    this.state = state;
  }

  private key(id: string): string {
    return `${this.name}:${id}`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const key = this.key(id);
    const exp = expiresIn && expiresIn > 0 ? epochNow() + Math.ceil(expiresIn) : undefined;
    // Copy so later mutation of the caller's object never changes what is stored.
    this.state.entries.set(key, { payload: structuredClone(payload), consumed: undefined, exp });
    if (payload.grantId) {
      const set = this.state.grants.get(payload.grantId) ?? new Set<string>();
      set.add(key);
      this.state.grants.set(payload.grantId, set);
    }
    if (payload.uid) this.state.indexes.set(`${this.name}:uid:${payload.uid}`, key);
    if (payload.userCode) this.state.indexes.set(`${this.name}:userCode:${payload.userCode}`, key);
    if (this.name === CLIENT_INDEXED_MODEL && typeof payload.clientId === 'string') this.state.clientGrants.add(payload.clientId, id, exp);
    if (this.name === ACCOUNT_INDEXED_MODEL && typeof payload.accountId === 'string') this.state.accountGrants.add(payload.accountId, id, exp);
  }

  async grantsOfClient(clientId: string): Promise<string[]> {
    return this.name === CLIENT_INDEXED_MODEL ? this.state.clientGrants.live(clientId) : [];
  }

  async grantsOfAccount(accountId: string): Promise<string[]> {
    return this.name === ACCOUNT_INDEXED_MODEL ? this.state.accountGrants.live(accountId) : [];
  }

  // A walk over every artefact: the memory store serves the demo and tests, not traffic.
  async countLive(): Promise<number> {
    if (!COUNTED_MODELS.has(this.name)) return 0;
    const now = epochNow();
    const mine = `${this.name}:`;
    let live = 0;
    for (const [key, e] of this.state.entries) if (key.startsWith(mine) && (e.exp === undefined || e.exp > now)) live++;
    return live;
  }

  private read(key: string | undefined): AdapterPayload | undefined {
    const e = key ? this.state.get(key) : undefined;
    if (!e) return undefined;
    const payload = structuredClone(e.payload);
    return e.consumed ? { ...payload, consumed: e.consumed } : payload;
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.read(this.key(id));
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.read(this.state.indexes.get(`${this.name}:uid:${uid}`));
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.read(this.state.indexes.get(`${this.name}:userCode:${userCode}`));
  }

  async consume(id: string): Promise<void> {
    const e = this.state.get(this.key(id));
    if (e) e.consumed = epochNow();
  }

  async destroy(id: string): Promise<void> {
    const key = this.key(id);
    const e = this.state.entries.get(key);
    this.state.entries.delete(key);
    // An index another artefact has taken over since (a session saved under a new id) stays.
    for (const index of [e?.payload.uid && `${this.name}:uid:${e.payload.uid}`, e?.payload.userCode && `${this.name}:userCode:${e.payload.userCode}`]) {
      if (index && this.state.indexes.get(index) === key) this.state.indexes.delete(index);
    }
    const { clientId, accountId } = e?.payload ?? {};
    if (this.name === CLIENT_INDEXED_MODEL && typeof clientId === 'string') this.state.clientGrants.remove(clientId, id);
    if (this.name === ACCOUNT_INDEXED_MODEL && typeof accountId === 'string') this.state.accountGrants.remove(accountId, id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    const keys = this.state.grants.get(grantId);
    if (!keys) return;
    for (const k of [...keys]) {
      if (!k.startsWith(`${this.name}:`)) continue;
      this.state.entries.delete(k);
      keys.delete(k);
    }
    if (keys.size === 0) this.state.grants.delete(grantId);
  }
}
