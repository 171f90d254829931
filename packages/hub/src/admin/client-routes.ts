import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import { isServiceClient } from '../clients/check-client-metadata.ts';
import type { ClientMetadata } from '../clients/client-registry.ts';
import { fieldMessages } from '../errors/schema-errors.ts';
import { SsoHubError } from '../errors/ssohub-error.ts';
import type { HubContext } from '../hub-context.ts';
import { adminActor } from './admin-actor.ts';
import { ClientParams, NoBody } from './admin-schemas.ts';
import { clientView } from './client-view.ts';

type IdParams = { Params: Static<typeof ClientParams> };

/**
 * A client definition, or the fields to change: a JSON object. Its fields are checked by the
 * registry's client checker (clients/check-client-metadata.ts), the same one that checks static
 * clients at startup: it refuses unknown fields and lists every bad one at once
 * (SSOHUB_ERR_VALIDATION), which a schema stopping at the first problem would not.
 */
const ClientBody = Type.Object({});
const clientBodyMessages = fieldMessages({ body: 'send the client as a JSON object (Content-Type: application/json)' });

/**
 * /admin/clients: onboard, list, show, change, rotate the secret of, and delete clients. The secret
 * appears only in the answers to create and rotate-secret (and to an update that makes a public
 * client confidential), never on GET. Creating a service client (grant_types
 * ["client_credentials"], decision 0019) also answers the `token_endpoint` it is to call.
 */
export function registerClientRoutes(admin: FastifyInstance, ctx: HubContext): void {
  admin.get('/admin/clients', async () => ({ clients: (await ctx.clients.list()).map(clientView) }));

  admin.post<{ Body: Static<typeof ClientBody> }>('/admin/clients', { schema: { body: ClientBody }, schemaErrorFormatter: clientBodyMessages }, async (request, reply) => {
    const created = await ctx.clients.create(request.body as unknown as ClientMetadata, adminActor(request));
    // A service client calls the token endpoint and nothing else: say where it is.
    const service = isServiceClient(created.metadata) ? { token_endpoint: `${ctx.config.publicUrl}${ctx.bridge.tokenPath}` } : {};
    return reply.status(201).send({ client: clientView(created), client_secret: created.metadata.client_secret ?? null, ...service });
  });

  admin.get<IdParams>('/admin/clients/:id', { schema: { params: ClientParams } }, async (request) => {
    const found = await ctx.clients.find(request.params.id);
    if (!found) throw notFound(request.params.id);
    return { client: clientView(found) };
  });

  admin.patch<IdParams & { Body: Static<typeof ClientBody> }>(
    '/admin/clients/:id',
    { schema: { params: ClientParams, body: ClientBody }, schemaErrorFormatter: clientBodyMessages },
    async (request) => {
      const before = await ctx.clients.find(request.params.id);
      const updated = await ctx.clients.update(request.params.id, request.body as Partial<ClientMetadata>, adminActor(request));
      const newSecret = before?.metadata.client_secret === undefined && updated.metadata.client_secret !== undefined;
      return { client: clientView(updated), ...(newSecret ? { client_secret: updated.metadata.client_secret } : {}) };
    },
  );

  admin.post<IdParams>('/admin/clients/:id/rotate-secret', { schema: { params: ClientParams, body: NoBody } }, async (request) => {
    const rotated = await ctx.clients.rotateSecret(request.params.id, adminActor(request));
    return { client: clientView(rotated), client_secret: rotated.metadata.client_secret };
  });

  admin.delete<IdParams>('/admin/clients/:id', { schema: { params: ClientParams, body: NoBody } }, async (request) => {
    const id = request.params.id;
    const revoke = () => ctx.bridge.revokeClient(id);
    // Everything the client was issued is revoked, so nothing comes back to life if a client with
    // the same id is onboarded later: before the deletion (a failure leaves the client in place,
    // so the DELETE can be sent again), and after it, for what was issued meanwhile. A client
    // from configuration cannot be deleted, so it loses nothing.
    let revokedGrants = (await ctx.clients.find(id))?.source === 'api' ? await revoke() : 0;
    await ctx.clients.delete(id, adminActor(request));
    revokedGrants += await revoke();
    return { deleted: id, revokedGrants };
  });
}

const notFound = (id: string) =>
  new SsoHubError('SSOHUB_ERR_NOT_FOUND', `there is no client "${id}"; list clients with GET /admin/clients (ssohub clients list)`, { status: 404 });
