import type { RegisteredClient } from '../clients/client-registry.ts';

/** A client as the admin API shows it: every field but the secret (only `has_secret`). */
export function clientView(client: RegisteredClient) {
  const { client_secret, ...metadata } = client.metadata;
  return { ...metadata, has_secret: client_secret !== undefined, source: client.source, created_at: client.createdAt, updated_at: client.updatedAt };
}
