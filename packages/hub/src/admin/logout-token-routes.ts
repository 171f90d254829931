import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import { fieldMessages } from '../errors/schema-errors.ts';
import { SsoHubError } from '../errors/ssohub-error.ts';
import type { HubContext } from '../hub-context.ts';
import { adminActor } from './admin-actor.ts';
import { ClientParams, orNothing } from './admin-schemas.ts';

const Claim = Type.Optional(Type.String({ minLength: 1, maxLength: 256 }));
/**
 * `{ sid?, sub? }`, or nothing. Another field is refused: a caller sending `aud` or `exp` must not
 * get a token that silently lacks what it asked for.
 */
const LogoutTokenBody = orNothing(Type.Object({ sid: Claim, sub: Claim }, { additionalProperties: false }));
const logoutTokenMessages = fieldMessages({
  body: 'send { "sid"?: string, "sub"?: string } as a JSON object',
  'body.sid': 'sid must be a non-empty string of at most 256 characters',
  'body.sub': 'sub must be a non-empty string of at most 256 characters',
});

/** Prefix of the default sid: it matches no provider session, so the token ends nothing. */
export const AUDIT_SID_PREFIX = 'isolation-audit-';

/**
 * POST /admin/clients/:id/logout-token `{ sid?, sub? }` → `{ logout_token }`: a back-channel
 * logout token for that client, signed by the hub exactly as on a real logout, and not sent.
 * The isolation audit posts it to the client's back-channel endpoint to prove that a genuine
 * token is accepted once and refused when replayed or aimed at another client. Without sid and
 * sub the sid is random (`isolation-audit-…`) and matches no session. An admin can already end
 * any session (DELETE /admin/identities/:id/sessions), so this adds no power (security-model.md).
 */
export function registerLogoutTokenRoutes(admin: FastifyInstance, ctx: HubContext): void {
  admin.post<{ Params: Static<typeof ClientParams>; Body: Static<typeof LogoutTokenBody> }>(
    '/admin/clients/:id/logout-token',
    { schema: { params: ClientParams, body: LogoutTokenBody }, schemaErrorFormatter: logoutTokenMessages },
    async (request) => {
      const { sid, sub } = request.body ?? {};
      const clientId = request.params.id;
      if (!(await ctx.clients.find(clientId))) {
        throw new SsoHubError('SSOHUB_ERR_NOT_FOUND', `there is no client "${clientId}"; list clients with GET /admin/clients (ssohub clients list)`, { status: 404 });
      }
      const target = {
        ...(typeof sid === 'string' ? { sid } : {}),
        ...(typeof sub === 'string' ? { sub } : {}),
      };
      if (!target.sid && !target.sub) target.sid = `${AUDIT_SID_PREFIX}${randomBytes(12).toString('hex')}`;
      const logoutToken = await ctx.bridge.mintLogoutToken(clientId, target);
      ctx.audit.record({
        type: 'admin.logout_token.minted',
        actor: adminActor(request),
        clientId,
        ...(target.sub ? { subject: target.sub } : {}),
        ...(target.sid ? { sid: target.sid } : {}),
        outcome: 'success',
      });
      return { logout_token: logoutToken };
    },
  );
}
