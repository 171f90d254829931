import type { AuditLog } from '../audit/audit-log.ts';
import type { Storage } from '../storage/storage.ts';
import type { ClientMetadata, ClientRegistry, RegisteredClient } from './client-registry.ts';

/**
 * Builds the registry over the configured store. (Scaffold: static clients only, filled in by
 * the client-onboarding work.)
 */
export function createClientRegistry({
  staticClients,
}: {
  staticClients: readonly ClientMetadata[];
  storage: Storage;
  audit: AuditLog;
}): ClientRegistry {
  const fromConfig = (metadata: ClientMetadata): RegisteredClient => ({ metadata, source: 'config', createdAt: undefined, updatedAt: undefined });
  const unsupported = async (): Promise<never> => {
    throw new Error('client onboarding is not available yet');
  };
  return {
    async find(id) {
      const m = staticClients.find((c) => c.client_id === id);
      return m ? fromConfig(m) : undefined;
    },
    async list() {
      return staticClients.map(fromConfig);
    },
    create: unsupported,
    update: unsupported,
    rotateSecret: unsupported,
    delete: unsupported,
  };
}
