import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { SsoHubError } from '../errors/ssohub-error.ts';
import type { HubContext } from '../hub-context.ts';
import { adminActor } from './admin-actor.ts';

type IdParams = { Params: { id: string } };

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
  admin.post<IdParams>('/admin/clients/:id/logout-token', async (request) => {
    const body = request.body ?? {};
    if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('send { "sid"?: string, "sub"?: string } as a JSON object');
    const { sid, sub } = body as { sid?: unknown; sub?: unknown };
    for (const [name, value] of [['sid', sid], ['sub', sub]] as const) {
      if (value !== undefined && (typeof value !== 'string' || value === '' || value.length > 256)) throw badRequest(`${name} must be a non-empty string of at most 256 characters`);
    }
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
  });
}

const badRequest = (message: string) => new SsoHubError('SSOHUB_ERR_BAD_REQUEST', message, { status: 400 });
