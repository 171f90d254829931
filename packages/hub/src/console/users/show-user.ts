import { SsoHubError } from '../../errors/ssohub-error.ts';
import { text } from '../../i18n/translate.ts';
import type { UserAdmin, UserDetail } from '../../users/user-admin.ts';

/** An account as UserAdmin shows it; none is the console's 404 page, in the admin's language. */
export async function showUser(users: UserAdmin, id: string): Promise<UserDetail> {
  try {
    return await users.show(id);
  } catch (err) {
    if (err instanceof SsoHubError && err.status === 404) {
      throw new SsoHubError('SSOHUB_ERR_NOT_FOUND', text('console-users.error.not_found', { user: id }), { status: 404, cause: err });
    }
    throw err;
  }
}
