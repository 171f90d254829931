import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import { fieldMessages } from '../errors/schema-errors.ts';
import type { HubContext } from '../hub-context.ts';
import { createUserAdmin, FIND_MAX_LIMIT, MAX_QUERY_LENGTH, type UserActionResult, type UserAdmin } from '../users/user-admin.ts';
import { adminActor } from './admin-actor.ts';
import { NoBody } from './admin-schemas.ts';

/**
 * `query` (an identity id, an email, or the start of one) and `limit` (1 to FIND_MAX_LIMIT,
 * written plainly: query parameters arrive as text and the listener's Ajv converts nothing).
 * Any other parameter is refused rather than ignored.
 */
const FindQuery = Type.Object(
  {
    query: Type.String({ minLength: 1, maxLength: MAX_QUERY_LENGTH }),
    limit: Type.Optional(Type.String({ pattern: '^(?:[1-9][0-9]?|100)$' })),
  },
  { additionalProperties: false },
);
const findQueryMessages = fieldMessages({
  'querystring.query': `query is required: an identity id, an email or the start of one (1 to ${MAX_QUERY_LENGTH} characters)`,
  'querystring.limit': `limit must be a whole number from 1 to ${FIND_MAX_LIMIT}`,
});

/** An identity id (UUID) or the exact email the user signs in with. */
const UserParams = Type.Object({ idOrEmail: Type.String({ minLength: 1, maxLength: MAX_QUERY_LENGTH }) });
type UserRequest = { Params: Static<typeof UserParams> };

/**
 * /admin/users: find users, show one (sign-in methods, second factors, addresses, sessions, apps)
 * and act on one: disable, enable, delete, reset-mfa, verify-resend. Each action is one audit
 * event with the admin's actor (users/user-admin.ts records it). docs/admin-api.md, "Users".
 */
export function registerUserRoutes(admin: FastifyInstance, ctx: HubContext, users: UserAdmin = createUserAdmin(ctx)): void {
  admin.get<{ Querystring: Static<typeof FindQuery> }>(
    '/admin/users',
    { schema: { querystring: FindQuery }, schemaErrorFormatter: findQueryMessages },
    async (request) => {
      const { query, limit } = request.query;
      return { users: await users.find(query, limit === undefined ? {} : { limit: Number(limit) }) };
    },
  );

  admin.get<UserRequest>('/admin/users/:idOrEmail', { schema: { params: UserParams } }, async (request) => ({ user: await users.show(request.params.idOrEmail) }));

  const action = (path: string, method: 'POST' | 'DELETE', run: (idOrEmail: string, actor: string) => Promise<UserActionResult>) =>
    admin.route<UserRequest>({
      method,
      url: `/admin/users/:idOrEmail${path}`,
      schema: { params: UserParams, body: NoBody },
      handler: async (request) => run(request.params.idOrEmail, adminActor(request)),
    });
  action('/disable', 'POST', (u, actor) => users.disable(u, actor));
  action('/enable', 'POST', (u, actor) => users.enable(u, actor));
  action('/reset-mfa', 'POST', (u, actor) => users.resetMfa(u, actor));
  action('/verify-resend', 'POST', (u, actor) => users.resendVerification(u, actor));
  action('', 'DELETE', (u, actor) => users.delete(u, actor));
}
