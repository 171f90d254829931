import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AUTH_METHODS, ID_TOKEN_ALGS, isServiceClient } from '../../clients/check-client-metadata.ts';
import type { ClientMetadata } from '../../clients/client-registry.ts';
import { html, type SafeHtml } from '../../http/html.ts';
import { t } from '../../i18n/translate.ts';
import { checkboxField, formValue, selectField, textAreaField, textField } from '../console-html.ts';

/**
 * The console's client form: the fields of `ssohub clients create|update` (RFC 7591 names, as
 * the CLI's flags map to them), turned into the metadata the registry checks, so a client is
 * judged by the same rules (clients/check-client-metadata.ts) whichever way it is onboarded.
 */

export type ClientKind = 'app' | 'service';

/** The fields the form edits; any other field of a client is left as it is. */
export const EDITABLE_FIELDS = [
  'client_name',
  'client_uri',
  'logo_uri',
  'policy_uri',
  'tos_uri',
  'redirect_uris',
  'post_logout_redirect_uris',
  'backchannel_logout_uri',
  'backchannel_logout_session_required',
  'scope',
  'ssohub_first_party',
  'token_endpoint_auth_method',
  'id_token_signed_response_alg',
  'grant_types',
  'resources',
  'ssohub_access_token_ttl',
  'ssohub_refresh_token_ttl',
] as const;

const lines = (value: string | undefined) =>
  (value ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
const optional = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);
/** Digits become a number; anything else is passed on as typed, for the checker to name. */
const seconds = (value: string | undefined) => (value === undefined || value === '' ? undefined : /^\d+$/.test(value) ? Number(value) : value);

/** The client a submitted form describes (absent fields left out, as the CLI leaves out unset flags). */
export function clientFromForm(body: unknown, kind: ClientKind): Record<string, unknown> {
  const v = (name: string) => formValue(body, name);
  const common = {
    client_id: v('client_id'),
    client_name: optional(v('client_name')),
    token_endpoint_auth_method: optional(v('token_endpoint_auth_method')),
    ssohub_access_token_ttl: seconds(v('ssohub_access_token_ttl')),
  };
  const out: Record<string, unknown> =
    kind === 'service'
      ? { ...common, grant_types: ['client_credentials'], resources: lines(v('resources')) }
      : {
          ...common,
          client_uri: optional(v('client_uri')),
          logo_uri: optional(v('logo_uri')),
          policy_uri: optional(v('policy_uri')),
          tos_uri: optional(v('tos_uri')),
          redirect_uris: lines(v('redirect_uris')),
          post_logout_redirect_uris: lines(v('post_logout_redirect_uris')),
          backchannel_logout_uri: optional(v('backchannel_logout_uri')),
          backchannel_logout_session_required: optional(v('backchannel_logout_uri')) ? true : undefined,
          scope: optional(v('scope')),
          ssohub_first_party: v('ssohub_first_party') === 'yes',
          id_token_signed_response_alg: optional(v('id_token_signed_response_alg')),
          grant_types: v('refresh_token') === 'yes' ? ['authorization_code', 'refresh_token'] : ['authorization_code'],
          ssohub_refresh_token_ttl: seconds(v('ssohub_refresh_token_ttl')),
        };
  for (const [k, value] of Object.entries(out)) {
    if (value === undefined || (Array.isArray(value) && value.length === 0 && k === 'post_logout_redirect_uris')) delete out[k];
  }
  return out;
}

/**
 * What an edit changes: each editable field whose value differs from the client's, `null` for a
 * field the form emptied (the registry removes it), nothing for what stayed the same.
 */
export function changesFromForm(body: unknown, current: ClientMetadata): Record<string, unknown> {
  const kind: ClientKind = isServiceClient(current) ? 'service' : 'app';
  const wanted = clientFromForm(body, kind);
  const changes: Record<string, unknown> = {};
  for (const field of EDITABLE_FIELDS) {
    const before = current[field];
    const after = wanted[field];
    if (JSON.stringify(before) === JSON.stringify(after)) continue;
    if (after === undefined) {
      if (before !== undefined) changes[field] = null;
    } else {
      changes[field] = after;
    }
  }
  return changes;
}

/** The hidden field that carries the version of the client an edit form was made from. */
export const VERSION_FIELD = 'version';

/**
 * The version of a client as the edit form sees it: a hash of its metadata without the secret
 * (which the form neither shows nor changes, so a rotation does not make an open form stale).
 * The form carries it through the confirmation page; if the client differs at submit, the edit
 * would be judged against fields the admin never saw and would undo whatever changed meanwhile.
 * A hash and not `updatedAt`: two changes in the same millisecond share a timestamp.
 */
export function clientVersion(metadata: ClientMetadata): string {
  const { client_secret: _, ...shown } = metadata;
  return createHash('sha256').update(canonicalJson(shown)).digest('base64url');
}

/** JSON with every object's keys sorted: the same client hashes the same however its fields were ordered. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** The form's values for a client (edit), or for a form sent back with its problems. */
export function formValuesOf(client: Partial<ClientMetadata>): Record<string, string> {
  const join = (v: unknown) => (Array.isArray(v) ? v.join('\n') : '');
  const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  return {
    client_id: str(client.client_id),
    client_name: str(client.client_name),
    client_uri: str(client.client_uri),
    logo_uri: str(client.logo_uri),
    policy_uri: str(client.policy_uri),
    tos_uri: str(client.tos_uri),
    redirect_uris: join(client.redirect_uris),
    post_logout_redirect_uris: join(client.post_logout_redirect_uris),
    backchannel_logout_uri: str(client.backchannel_logout_uri),
    scope: str(client.scope),
    ssohub_first_party: client.ssohub_first_party === true ? 'yes' : '',
    token_endpoint_auth_method: str(client.token_endpoint_auth_method),
    id_token_signed_response_alg: str(client.id_token_signed_response_alg),
    refresh_token: Array.isArray(client.grant_types) && client.grant_types.includes('refresh_token') ? 'yes' : '',
    resources: join(client.resources),
    ssohub_access_token_ttl: str(client.ssohub_access_token_ttl),
    ssohub_refresh_token_ttl: str(client.ssohub_refresh_token_ttl),
  };
}

/** The values a submitted form carried, to show it again as typed. */
export function submittedValues(body: unknown): Record<string, string> {
  const names = ['client_id', 'client_name', 'client_uri', 'logo_uri', 'policy_uri', 'tos_uri', 'redirect_uris', 'post_logout_redirect_uris', 'backchannel_logout_uri', 'scope', 'ssohub_first_party', 'token_endpoint_auth_method', 'id_token_signed_response_alg', 'refresh_token', 'resources', 'ssohub_access_token_ttl', 'ssohub_refresh_token_ttl'];
  return Object.fromEntries(names.map((n) => [n, formValue(body, n) ?? '']));
}

/** The form's fields for a kind of client; `editing` hides the id (it cannot change). */
export function clientFields(_request: FastifyRequest, kind: ClientKind, values: Record<string, string>, { editing }: { editing: boolean }): SafeHtml {
  const v = (name: string) => values[name] ?? '';
  const authOptions: [string, string][] = [['', t('console.clients.field.default')], ...AUTH_METHODS.filter((m) => kind === 'app' || m !== 'none').map((m): [string, string] => [m, m])];
  const common = html`${editing ? '' : textField({ name: 'client_id', label: t('console.clients.field.client_id'), hint: t('console.clients.hint.client_id'), value: v('client_id'), required: true, testid: 'console/client-id' })}
${textField({ name: 'client_name', label: t('console.clients.field.client_name'), hint: t('console.clients.hint.client_name'), value: v('client_name'), testid: 'console/client-name' })}`;
  if (kind === 'service') {
    return html`${common}
${textAreaField({ name: 'resources', label: t('console.clients.field.resources'), hint: t('console.clients.hint.resources'), value: v('resources'), required: true, testid: 'console/client-resources' })}
${selectField({ name: 'token_endpoint_auth_method', label: t('console.clients.field.auth_method'), value: v('token_endpoint_auth_method'), options: authOptions })}
${textField({ name: 'ssohub_access_token_ttl', label: t('console.clients.field.access_ttl'), hint: t('console.clients.hint.ttl'), value: v('ssohub_access_token_ttl'), type: 'number' })}`;
  }
  return html`${common}
${textAreaField({ name: 'redirect_uris', label: t('console.clients.field.redirect_uris'), hint: t('console.clients.hint.redirect_uris'), value: v('redirect_uris'), required: true, testid: 'console/client-redirect-uris' })}
${textAreaField({ name: 'post_logout_redirect_uris', label: t('console.clients.field.post_logout_uris'), hint: t('console.clients.hint.one_per_line'), value: v('post_logout_redirect_uris') })}
${textField({ name: 'backchannel_logout_uri', label: t('console.clients.field.backchannel_uri'), hint: t('console.clients.hint.backchannel_uri'), value: v('backchannel_logout_uri'), type: 'url', testid: 'console/client-backchannel-uri' })}
${textField({ name: 'scope', label: t('console.clients.field.scope'), hint: t('console.clients.hint.scope'), value: v('scope') })}
${checkboxField({ name: 'ssohub_first_party', label: t('console.clients.field.first_party'), checked: v('ssohub_first_party') === 'yes', testid: 'console/client-first-party' })}
${checkboxField({ name: 'refresh_token', label: t('console.clients.field.refresh_tokens'), checked: v('refresh_token') === 'yes' })}
${selectField({ name: 'token_endpoint_auth_method', label: t('console.clients.field.auth_method'), value: v('token_endpoint_auth_method'), options: authOptions })}
${selectField({ name: 'id_token_signed_response_alg', label: t('console.clients.field.id_token_alg'), value: v('id_token_signed_response_alg'), options: [['', t('console.clients.field.default')], ...ID_TOKEN_ALGS.map((a): [string, string] => [a, a])] })}
${textField({ name: 'ssohub_access_token_ttl', label: t('console.clients.field.access_ttl'), hint: t('console.clients.hint.ttl'), value: v('ssohub_access_token_ttl'), type: 'number' })}
${textField({ name: 'ssohub_refresh_token_ttl', label: t('console.clients.field.refresh_ttl'), hint: t('console.clients.hint.ttl'), value: v('ssohub_refresh_token_ttl'), type: 'number' })}
${textField({ name: 'client_uri', label: t('console.clients.field.client_uri'), value: v('client_uri'), type: 'url' })}
${textField({ name: 'logo_uri', label: t('console.clients.field.logo_uri'), value: v('logo_uri'), type: 'url' })}
${textField({ name: 'policy_uri', label: t('console.clients.field.policy_uri'), value: v('policy_uri'), type: 'url' })}
${textField({ name: 'tos_uri', label: t('console.clients.field.tos_uri'), value: v('tos_uri'), type: 'url' })}`;
}
