import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import { findClientProblemDetails, idTokenAlgorithms, isServiceClient } from '../../clients/check-client-metadata.ts';
import { createClient, deleteClient, updateClient } from '../../clients/client-admin-actions.ts';
import type { ClientMetadata, RegisteredClient } from '../../clients/client-registry.ts';
import { ClientValidationError } from '../../clients/create-client-registry.ts';
import { SsoHubError } from '../../errors/ssohub-error.ts';
import { html, type SafeHtml } from '../../http/html.ts';
import type { HubContext } from '../../hub-context.ts';
import { t, text, translateText } from '../../i18n/translate.ts';
import { CONSOLE_PATH } from '../console-cookie.ts';
import type { ConsoleDeps } from '../console-deps.ts';
import { carriedFields, dataTable, errorMessage, factList, formValue, isConfirmed, postForm } from '../console-html.ts';
import { sendConfirmation, sendConsolePage } from '../console-page.ts';
import { consoleActor, consoleSession } from '../console-request.ts';
import { type ClientKind, changesFromForm, clientFields, clientFromForm, clientVersion, formValuesOf, submittedValues, VERSION_FIELD } from './client-form.ts';
import { clientProblemText } from './client-problems.ts';

const CLIENTS = `${CONSOLE_PATH}/clients`;
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) });
type IdRoute = { Params: Static<typeof IdParams> };
const clientPath = (id: string) => `${CLIENTS}/${encodeURIComponent(id)}`;
const kindOf = (m: Partial<ClientMetadata>): ClientKind => (isServiceClient(m) ? 'service' : 'app');

/**
 * The console's client pages: list, show, onboard (an app or a service client), edit, rotate the
 * secret and delete, through the same actions as the admin API (clients/client-admin-actions.ts)
 * and so the same checks, audit events and revocations. A secret is shown once, on the page that
 * answers the action that made it (never cached, never shown again). Clients from the hub's
 * configuration are shown read-only, as the registry refuses to change them.
 */
export function registerClientPages(console: FastifyInstance, { ctx, sessions }: ConsoleDeps): void {
  /** The checker's problems in the page's language, each starting with its field. */
  const problemsOf = (metadata: unknown) =>
    findClientProblemDetails(metadata, { mode: ctx.config.mode, secretGenerated: true, idTokenAlgs: idTokenAlgorithms(ctx.config.bridge.signingKeys) }).map((p) =>
      clientProblemText(p),
    );

  console.get('/clients', async (request, reply) => {
    const clients = await ctx.clients.list();
    const body = html`<h1>${t('console.clients.title')}</h1>
<p class="lead">${t('console.clients.lead')}</p>
<div class="toolbar"><a class="button-link" href="${CLIENTS}/new" data-testid="console/new-client">${t('console.clients.new_app')}</a>
<a class="button-link secondary" href="${CLIENTS}/new?kind=service" data-testid="console/new-service-client">${t('console.clients.new_service')}</a></div>
${dataTable({
  caption: t('console.clients.caption', { count: clients.length }),
  columns: [t('console.clients.col.id'), t('console.clients.col.name'), t('console.clients.col.kind'), t('console.clients.col.source'), t('console.clients.col.updated')],
  rows: clients.map((c) => [
    html`<a href="${clientPath(c.metadata.client_id)}"><code>${c.metadata.client_id}</code></a>`,
    c.metadata.client_name ?? '',
    t(`console.clients.kind.${kindOf(c.metadata)}`),
    t(`console.clients.source.${c.source}`),
    c.updatedAt ?? c.createdAt ?? '',
  ]),
  empty: t('console.clients.none'),
  testid: 'console/clients',
})}`;
    return sendConsolePage(request, reply, { title: t('console.clients.title'), body, section: 'clients' });
  });

  console.get<{ Querystring: { kind?: string } }>('/clients/new', async (request, reply) => {
    const kind: ClientKind = request.query.kind === 'service' ? 'service' : 'app';
    return sendCreateForm(request, reply, kind, {});
  });

  console.post('/clients/new', async (request, reply) => {
    const kind: ClientKind = formValue(request.body, 'kind') === 'service' ? 'service' : 'app';
    const metadata = clientFromForm(request.body, kind);
    const problems = problemsOf(metadata);
    if (problems.length > 0) return sendCreateForm(request, reply, kind, submittedValues(request.body), problems);
    const id = String(metadata.client_id);
    if (!isConfirmed(request.body)) {
      return sendConfirmation(request, reply, {
        title: t('console.clients.create.confirm_title', { id }),
        lead: t(kind === 'service' ? 'console.clients.create.confirm_lead_service' : 'console.clients.create.confirm_lead'),
        facts: clientFacts(metadata),
        action: `${CLIENTS}/new`,
        hidden: carriedFields(request.body),
        confirmLabel: t('console.clients.create.submit'),
        cancelHref: CLIENTS,
        section: 'clients',
      });
    }
    let created: Awaited<ReturnType<typeof createClient>>;
    try {
      created = await createClient(ctx, metadata as unknown as ClientMetadata, consoleActor(request));
    } catch (err) {
      // On create the registry's one conflict is a taken id: said in the page's language.
      const shown = err instanceof SsoHubError && err.status === 409 ? [`client_id ${t('console.clients.id_taken', { id })}`] : formProblems(err);
      if (!shown) throw err;
      return sendCreateForm(request, reply, kind, submittedValues(request.body), shown, 400);
    }
    return sendSecretPage(request, reply, created.client, created.secret, {
      title: t('console.clients.created_title', { id }),
      tokenEndpoint: created.tokenEndpoint,
    });
  });

  console.get<IdRoute>('/clients/:id', { schema: { params: IdParams } }, async (request, reply) => {
    const client = await mustFind(ctx, request.params.id);
    const id = client.metadata.client_id;
    const editable = client.source === 'api';
    const body = html`<h1><code>${id}</code></h1>
<p class="lead">${client.metadata.client_name ?? ''}</p>
${describeClient(client.metadata, client)}
${
  editable
    ? html`<div class="toolbar"><a class="button-link" href="${clientPath(id)}/edit" data-testid="console/edit-client">${t('console.clients.edit')}</a>
${client.metadata.client_secret !== undefined ? postForm(request, { action: `${clientPath(id)}/rotate-secret`, submit: t('console.clients.rotate'), secondary: true, testid: 'console/rotate-secret' }) : ''}
${postForm(request, { action: `${clientPath(id)}/delete`, submit: t('console.clients.delete'), danger: true, testid: 'console/delete-client' })}</div>`
    : html`<p class="msg">${t('console.clients.from_config')}</p>`
}
<p><a href="${CONSOLE_PATH}/audit?client=${encodeURIComponent(id)}">${t('console.clients.audit_link')}</a></p>`;
    return sendConsolePage(request, reply, { title: id, body, section: 'clients' });
  });

  console.get<IdRoute>('/clients/:id/edit', { schema: { params: IdParams } }, async (request, reply) => {
    const client = await mustFind(ctx, request.params.id);
    return sendEditForm(request, reply, client, formValuesOf(client.metadata));
  });

  console.post<IdRoute>('/clients/:id/edit', { schema: { params: IdParams } }, async (request, reply) => {
    const client = await mustFind(ctx, request.params.id);
    const id = client.metadata.client_id;
    // The form (and its confirmation page) must describe the client as it is now: compared with a
    // newer client, every field the form still shows the old way would read as a change back.
    if (formValue(request.body, VERSION_FIELD) !== clientVersion(client.metadata)) {
      request.log.info({ clientId: id }, 'console client edit refused: the client changed since the form was made');
      return sendEditForm(request, reply, client, formValuesOf(client.metadata), [t('console.clients.edit.stale', { id })], 409);
    }
    const changes = changesFromForm(request.body, client.metadata);
    if (Object.keys(changes).length === 0) {
      await sessions.setNotice(consoleSession(request), { key: 'console.clients.notice.unchanged', values: { id } });
      return reply.redirect(clientPath(id), 303);
    }
    const merged: Record<string, unknown> = { ...client.metadata };
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) delete merged[k];
      else merged[k] = v;
    }
    delete merged.client_secret;
    const problems = problemsOf(merged);
    if (problems.length > 0) return sendEditForm(request, reply, client, submittedValues(request.body), problems);
    if (!isConfirmed(request.body)) {
      return sendConfirmation(request, reply, {
        title: t('console.clients.edit.confirm_title', { id }),
        lead: t('console.clients.edit.confirm_lead'),
        facts: Object.entries(changes).map(([k, v]) => [k, v === null ? t('console.clients.removed') : display(v)]),
        action: `${clientPath(id)}/edit`,
        hidden: carriedFields(request.body),
        confirmLabel: t('console.clients.edit.submit'),
        cancelHref: clientPath(id),
        section: 'clients',
      });
    }
    let updated: Awaited<ReturnType<typeof updateClient>>;
    try {
      updated = await updateClient(ctx, id, changes, consoleActor(request));
    } catch (err) {
      const shown = formProblems(err);
      if (!shown) throw err;
      return sendEditForm(request, reply, client, submittedValues(request.body), shown, 400);
    }
    if (updated.secret !== undefined) {
      return sendSecretPage(request, reply, updated.client, updated.secret, { title: t('console.clients.updated_title', { id }) });
    }
    await sessions.setNotice(consoleSession(request), { key: 'console.clients.notice.updated', values: { id } });
    return reply.redirect(clientPath(id), 303);
  });

  console.post<IdRoute>('/clients/:id/rotate-secret', { schema: { params: IdParams } }, async (request, reply) => {
    const client = await mustFind(ctx, request.params.id);
    const id = client.metadata.client_id;
    if (!isConfirmed(request.body)) {
      return sendConfirmation(request, reply, {
        title: t('console.clients.rotate.confirm_title', { id }),
        lead: t('console.clients.rotate.confirm_lead'),
        action: `${clientPath(id)}/rotate-secret`,
        confirmLabel: t('console.clients.rotate'),
        cancelHref: clientPath(id),
        danger: true,
        section: 'clients',
      });
    }
    const rotated = await ctx.clients.rotateSecret(id, consoleActor(request));
    return sendSecretPage(request, reply, rotated, rotated.metadata.client_secret ?? null, { title: t('console.clients.rotated_title', { id }) });
  });

  console.post<IdRoute>('/clients/:id/delete', { schema: { params: IdParams } }, async (request, reply) => {
    const client = await mustFind(ctx, request.params.id);
    const id = client.metadata.client_id;
    if (!isConfirmed(request.body)) {
      return sendConfirmation(request, reply, {
        title: t('console.clients.delete.confirm_title', { id }),
        lead: t('console.clients.delete.confirm_lead'),
        facts: [
          [t('console.clients.col.id'), html`<code>${id}</code>`],
          [t('console.clients.col.name'), client.metadata.client_name],
        ],
        action: `${clientPath(id)}/delete`,
        confirmLabel: t('console.clients.delete'),
        cancelHref: clientPath(id),
        danger: true,
        section: 'clients',
      });
    }
    const { revokedGrants } = await deleteClient(ctx, id, consoleActor(request));
    await sessions.setNotice(consoleSession(request), { key: 'console.clients.notice.deleted', values: { id, grants: revokedGrants } });
    return reply.redirect(CLIENTS, 303);
  });

  function sendCreateForm(request: FastifyRequest, reply: FastifyReply, kind: ClientKind, values: Record<string, string>, problems?: readonly string[], status = problems ? 400 : 200) {
    const title = t(kind === 'service' ? 'console.clients.new_service' : 'console.clients.new_app');
    const body = html`<h1>${title}</h1>
<p class="lead">${t(kind === 'service' ? 'console.clients.create.lead_service' : 'console.clients.create.lead')}</p>
${problems ? errorMessage(problems) : ''}${postForm(request, {
  action: `${CLIENTS}/new`,
  submit: t('console.clients.create.next'),
  hidden: { kind },
  fields: clientFields(request, kind, values, { editing: false }),
  testid: 'console/client-form',
})}
<p><a href="${CLIENTS}">${t('console.confirm.cancel')}</a></p>`;
    return sendConsolePage(request, reply, { title, body, section: 'clients', status });
  }

  function sendEditForm(request: FastifyRequest, reply: FastifyReply, client: RegisteredClient, values: Record<string, string>, problems?: readonly string[], status = problems ? 400 : 200) {
    const id = client.metadata.client_id;
    if (client.source !== 'api') {
      throw new SsoHubError('SSOHUB_ERR_CONFLICT', text('console.clients.from_config'), { status: 409 });
    }
    const title = t('console.clients.edit.title', { id });
    const body = html`<h1>${title}</h1>
${problems ? errorMessage(problems) : ''}${postForm(request, {
  action: `${clientPath(id)}/edit`,
  submit: t('console.clients.edit.next'),
  hidden: { [VERSION_FIELD]: clientVersion(client.metadata) },
  fields: clientFields(request, kindOf(client.metadata), values, { editing: true }),
  testid: 'console/client-form',
})}
<p><a href="${clientPath(id)}">${t('console.confirm.cancel')}</a></p>`;
    return sendConsolePage(request, reply, { title, body, section: 'clients', status });
  }
}

/** The page that shows a new secret, once: not cached, not kept anywhere the console can show it again. */
function sendSecretPage(request: FastifyRequest, reply: FastifyReply, client: RegisteredClient, secret: string | null, o: { title: string; tokenEndpoint?: string | undefined }) {
  const id = client.metadata.client_id;
  const body = html`<h1>${o.title}</h1>
${
  secret
    ? html`<p class="msg" role="status">${t('console.clients.secret_once')}</p>
<p><strong>${t('console.clients.secret')}</strong></p>
<code class="secret" data-testid="console/client-secret">${secret}</code>`
    : html`<p class="lead">${t('console.clients.no_secret')}</p>`
}
${o.tokenEndpoint ? factList([[t('console.clients.token_endpoint'), html`<code>${o.tokenEndpoint}</code>`]]) : ''}
${describeClient(client.metadata, client)}
<div class="toolbar"><a class="button-link" href="${clientPath(id)}">${t('console.clients.done')}</a></div>`;
  return sendConsolePage(request, reply, { title: o.title, body, section: 'clients' });
}

async function mustFind(ctx: HubContext, id: string): Promise<RegisteredClient> {
  const found = await ctx.clients.find(id);
  if (!found) throw new SsoHubError('SSOHUB_ERR_NOT_FOUND', text('console.clients.not_found', { id }), { status: 404 });
  return found;
}

/**
 * The problems to show on the form for an error of the registry, or undefined when it is not about
 * the input. Its validation problems are English, but the form was checked by the same rules just
 * before (problemsOf): they show only when the client changed in between.
 */
function formProblems(err: unknown): readonly string[] | undefined {
  if (err instanceof ClientValidationError) return err.problems;
  if (err instanceof SsoHubError && err.status === 409) return [err.text ? translateText(err.text) : err.message];
  return undefined;
}

const display = (v: unknown): string => (Array.isArray(v) ? v.join(', ') : typeof v === 'boolean' ? (v ? t('console.yes') : t('console.no')) : String(v));

function describeClient(m: Record<string, unknown>, registered?: RegisteredClient): SafeHtml {
  return factList(clientFacts(m, registered));
}

/** A client's fields as term/value pairs (never the secret: only whether it has one). */
function clientFacts(m: Record<string, unknown>, registered?: RegisteredClient): [string, SafeHtml | string][] {
  const { client_secret, ...fields } = m;
  const rows: [string, SafeHtml | string][] = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => [k, typeof v === 'object' && v !== null && !Array.isArray(v) ? html`<code>${JSON.stringify(v)}</code>` : display(v)]);
  if (registered) {
    rows.push([t('console.clients.has_secret'), client_secret !== undefined ? t('console.yes') : t('console.no')]);
    rows.push([t('console.clients.col.source'), t(`console.clients.source.${registered.source}`)]);
    if (registered.createdAt) rows.push([t('console.clients.created_at'), registered.createdAt]);
    if (registered.updatedAt) rows.push([t('console.clients.col.updated'), registered.updatedAt]);
  }
  return rows;
}
