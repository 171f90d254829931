import { guardStoreContract } from './guard-store-contract.ts';
import { createMemoryGuardStore } from './memory-guard-store.ts';

guardStoreContract('memory', () => createMemoryGuardStore());
