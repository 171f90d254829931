import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import { createClient, deleteClient, updateClient } from '../clients/client-admin-actions.ts';
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
    const { client, secret, tokenEndpoint } = await createClient(ctx, request.body as unknown as ClientMetadata, adminActor(request));
    // A service client calls the token endpoint and nothing else: say where it is.
    return reply.status(201).send({ client: clientView(client), client_secret: secret, ...(tokenEndpoint ? { token_endpoint: tokenEndpoint } : {}) });
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
      const { client, secret } = await updateClient(ctx, request.params.id, request.body as Partial<ClientMetadata>, adminActor(request));
      return { client: clientView(client), ...(secret !== undefined ? { client_secret: secret } : {}) };
    },
  );

  admin.post<IdParams>('/admin/clients/:id/rotate-secret', { schema: { params: ClientParams, body: NoBody } }, async (request) => {
    const rotated = await ctx.clients.rotateSecret(request.params.id, adminActor(request));
    return { client: clientView(rotated), client_secret: rotated.metadata.client_secret };
  });

  // Everything the client was issued is revoked with it (clients/client-admin-actions.ts).
  admin.delete<IdParams>('/admin/clients/:id', { schema: { params: ClientParams, body: NoBody } }, async (request) =>
    deleteClient(ctx, request.params.id, adminActor(request)),
  );
}

const notFound = (id: string) =>
  new SsoHubError('SSOHUB_ERR_NOT_FOUND', `there is no client "${id}"; list clients with GET /admin/clients (ssohub clients list)`, { status: 404 });
