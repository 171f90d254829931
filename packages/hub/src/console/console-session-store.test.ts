import { describeConsoleSessionStoreContract } from './console-session-store-contract.ts';
import { createConsoleSessionStore } from './console-session-store.ts';

describeConsoleSessionStoreContract('memory', () => createConsoleSessionStore({ kind: 'memory', description: 'memory', close: async () => {} }));
