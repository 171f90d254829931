import type { HubContext } from '../hub-context.ts';
import type { Guard } from './guard.ts';

/** Builds the guard for the configured store. (Scaffold: filled in by the guard work.) */
export function createGuard(_ctx: Pick<HubContext, 'config' | 'log' | 'storage' | 'audit' | 'kratos'>): Guard {
  return {
    async before() {},
    async after() {},
    async listLockouts() {
      return [];
    },
    async clearLockout() {
      return 0;
    },
  };
}
