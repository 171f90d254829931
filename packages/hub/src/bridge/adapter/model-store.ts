/**
 * Owns the contract every store of the provider's models keeps (Redis, memory): oidc-provider's
 * adapter for one model plus the hub's grantsOfClient and grantsOfAccount, and which models are
 * single-use, carry a grant or are indexed by client and by account.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';

/**
 * ModelStore is oidc-provider's adapter contract for one model (example/my_adapter.js). `Client`
 * is not stored here: it reads through the hub's client registry (see create-adapter-factory.ts).
 */
export interface ModelStore extends Adapter {
  /**
   * The grants of a client that have not expired or been destroyed (the Grant model keeps this
   * index, updated at each upsert and destroy; every other model answers []). Deleting a client
   * revokes each of them (Bridge.revokeClient).
   */
  grantsOfClient(clientId: string): Promise<string[]>;
  /**
   * The grants of an account that have not expired or been destroyed, kept as grantsOfClient is.
   * The account page finds through it the apps whose grant outlived the provider session that
   * issued it (an offline_access refresh token), which no live session names any more.
   */
  grantsOfAccount(accountId: string): Promise<string[]>;
  /**
   * How many artefacts of this model are alive now, for the `ssohub_oidc_sessions` gauge. Only
   * the models of COUNTED_MODELS keep the index this reads (updated at each upsert and destroy,
   * so a scrape never scans keys); every other model answers 0.
   */
  countLive(): Promise<number>;
}
export type { AdapterPayload };

/** The model indexed by client (its payload's clientId), for grantsOfClient. */
export const CLIENT_INDEXED_MODEL = 'Grant';
/** The model indexed by account (its payload's accountId), for grantsOfAccount. */
export const ACCOUNT_INDEXED_MODEL = 'Grant';

/**
 * Models whose live artefacts are counted (ModelStore.countLive): the provider's sessions, one per
 * browser signed in through the bridge. Only these pay for the index on their writes.
 */
export const COUNTED_MODELS = new Set(['Session']);

/** Models whose artefacts are single-use: a later find must return `consumed`. */
export const CONSUMABLE_MODELS = new Set([
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

/** Models that carry a grantId, indexed so revokeByGrantId finds every one of them. */
export const GRANTABLE_MODELS = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

export const epochNow = () => Math.floor(Date.now() / 1000);
