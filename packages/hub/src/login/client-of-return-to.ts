/**
 * Owns finding the client app a sign-in page is for (issue #20): the flow's return_to names the
 * hub's own interaction page, whose interaction names the client. Only that shape is read; the
 * name itself always comes from the client registry, never from the URL.
 */
import type { Bridge, ClientDisplay } from '../bridge/bridge.ts';
import { INTERACTION_PATH } from '../bridge/provider/create-provider.ts';

const UID = /^[A-Za-z0-9_-]{1,128}$/;

/** The interaction uid of a return_to `${publicUrl}/interaction/<uid>`, else undefined. */
export function interactionUidOf(returnTo: string | undefined, publicUrl: string): string | undefined {
  if (!returnTo) return undefined;
  let url: URL;
  try {
    url = new URL(returnTo);
  } catch {
    return undefined;
  }
  if (url.origin !== new URL(publicUrl).origin || url.username || url.password) return undefined;
  const prefix = `${INTERACTION_PATH}/`;
  if (!url.pathname.startsWith(prefix)) return undefined;
  const uid = url.pathname.slice(prefix.length);
  return UID.test(uid) ? uid : undefined;
}

/**
 * The client of the interaction a return_to points at, or undefined (not an interaction page,
 * interaction missing or expired, client gone, or the store failing: the page then renders
 * without an app name, as before).
 */
export async function clientOfReturnTo(
  returnTo: string | undefined,
  o: { publicUrl: string; bridge: Pick<Bridge, 'clientOfInteraction'>; onError?: (err: unknown) => void },
): Promise<ClientDisplay | undefined> {
  const uid = interactionUidOf(returnTo, o.publicUrl);
  if (!uid) return undefined;
  try {
    return await o.bridge.clientOfInteraction(uid);
  } catch (err) {
    o.onError?.(err);
    return undefined;
  }
}
