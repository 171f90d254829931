import type { HubContext } from '../../hub-context.ts';
import { createUserAdmin, type UserAdmin } from '../../users/user-admin.ts';

const made = new WeakMap<HubContext, UserAdmin>();

/** The hub's UserAdmin, made once per hub: every console page and action goes through it. */
export function userAdminFor(ctx: HubContext): UserAdmin {
  let users = made.get(ctx);
  if (!users) {
    users = createUserAdmin(ctx);
    made.set(ctx, users);
  }
  return users;
}
