import { afterAll } from 'vitest';
import { MemoryModelStore, MemoryState } from './memory-model-store.ts';
import { describeModelStoreContract } from './model-store-contract.ts';

const state = new MemoryState();
afterAll(() => state.close());
describeModelStoreContract('memory', (model) => new MemoryModelStore(model, state));
