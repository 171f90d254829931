/**
 * Owns how each stored model's adapter takes part in a request scope (request-scope.ts): which
 * of its reads a request shares, what each of its writes makes the request forget, and the hook
 * that starts the reads ahead.
 */
import type { AdapterPayload } from 'oidc-provider';
import { copyPayload } from './copy-payload.ts';
import type { ModelStore } from './model-store.ts';
import { scopedRead, scopedWrite } from './request-scope.ts';

/** Called with every artefact a request reads by id, before its reader goes on. */
export type AfterFind = (model: string, payload: AdapterPayload) => void;

/**
 * Wraps a model's adapter for request scopes: inside one, `find(id)` and `findByUid(uid)` are
 * asked of the store once per request, and writes (upsert, consume, destroy, revokeByGrantId) go
 * through scopedWrite, which forgets what they change: a request sees its own writes and, where
 * the scope defers writes, does not wait for each. Each caller gets its
 * own copy of what was read: oidc-provider's models take the payload as their own object.
 * `afterFind` sees what `find` returned first, which lets the bridge start the reads that will
 * follow (see SessionChecks.readAhead). Outside a request scope it is the bare store.
 */
export function requestScopedReads(store: ModelStore, model: string, afterFind?: AfterFind): ModelStore {
  const copy = (found: AdapterPayload | undefined) => (found ? copyPayload(found) : undefined);
  return {
    async find(id) {
      let first = false;
      const read = scopedRead(`${model}:${id}`, () => {
        first = true;
        return store.find(id) as Promise<AdapterPayload | undefined>;
      });
      const found = await read;
      if (first && found) afterFind?.(model, found);
      return copy(found);
    },
    async findByUid(uid) {
      return copy(await scopedRead(`${model}:uid:${uid}`, () => store.findByUid(uid) as Promise<AdapterPayload | undefined>));
    },
    findByUserCode: (code) => store.findByUserCode(code),
    // What a write changes is forgotten; an upsert or consume changes only its own artefact (and its
    // uid index), so the reads the request made ahead of it (grant, binding) stay.
    upsert: (id, payload, expiresIn) =>
      scopedWrite(() => store.upsert(id, payload, expiresIn), [`${model}:${id}`, ...(payload.uid ? [`${model}:uid:${payload.uid}`] : [])]),
    consume: (id) => scopedWrite(() => store.consume(id), [`${model}:${id}`]),
    // Which uid or artefacts these remove is only known to the store: everything is forgotten.
    destroy: (id) => scopedWrite(() => store.destroy(id)),
    revokeByGrantId: (grantId) => scopedWrite(() => store.revokeByGrantId(grantId)),
    // Asked by the admin API and the account page only, never within a provider request.
    grantsOfClient: (clientId) => store.grantsOfClient(clientId),
    grantsOfAccount: (accountId) => store.grantsOfAccount(accountId),
    // Asked by the metrics scrape, outside any request.
    countLive: () => store.countLive(),
  };
}
