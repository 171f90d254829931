import type { HubContext } from '../hub-context.ts';
import { isServiceClient } from './check-client-metadata.ts';
import type { ClientMetadata, RegisteredClient } from './client-registry.ts';

/**
 * The client actions the admin API and the web console share (issue 27: the same validation and
 * the same side effects whichever way an admin onboards): the registry checks and audits, these
 * add what an answer must say (a secret shown once, a service client's token endpoint) and what
 * a deletion must revoke.
 */

export interface CreatedClient {
  client: RegisteredClient;
  /** The new secret in clear, or null for a public client: shown once, never again. */
  secret: string | null;
  /** A service client's token endpoint (the only endpoint it calls). */
  tokenEndpoint: string | undefined;
}

export async function createClient(ctx: HubContext, metadata: ClientMetadata, actor: string): Promise<CreatedClient> {
  const created = await ctx.clients.create(metadata, actor);
  return {
    client: created,
    secret: created.metadata.client_secret ?? null,
    tokenEndpoint: isServiceClient(created.metadata) ? `${ctx.config.publicUrl}${ctx.bridge.tokenPath}` : undefined,
  };
}

/** Changes a client; `null` removes a field. A change that makes a public client confidential mints its first secret (`secret`). */
export async function updateClient(ctx: HubContext, id: string, changes: Partial<Record<keyof ClientMetadata, unknown>>, actor: string): Promise<{ client: RegisteredClient; secret: string | undefined }> {
  const before = await ctx.clients.find(id);
  const updated = await ctx.clients.update(id, changes as Partial<ClientMetadata>, actor);
  const minted = before?.metadata.client_secret === undefined && updated.metadata.client_secret !== undefined;
  return { client: updated, secret: minted ? updated.metadata.client_secret : undefined };
}

/**
 * Deletes a client and revokes everything it was issued, so nothing comes back to life if a
 * client with the same id is onboarded later: before the deletion (a failure leaves the client in
 * place, so it can be tried again), and after it, for what was issued meanwhile. A client from
 * configuration cannot be deleted (the registry refuses), so it loses nothing.
 */
export async function deleteClient(ctx: HubContext, id: string, actor: string): Promise<{ deleted: string; revokedGrants: number }> {
  const revoke = () => ctx.bridge.revokeClient(id);
  let revokedGrants = (await ctx.clients.find(id))?.source === 'api' ? await revoke() : 0;
  await ctx.clients.delete(id, actor);
  revokedGrants += await revoke();
  return { deleted: id, revokedGrants };
}
