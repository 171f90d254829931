import type { FastifyRequest } from 'fastify';
import { html, type SafeHtml } from '../http/html.ts';
import { t } from '../i18n/translate.ts';
import { findConsoleSession } from './console-request.ts';

/**
 * The console's building blocks: every page is made of these, so each form carries the CSRF
 * token, each field has its label, each table stacks on a phone, and each change is confirmed the
 * same way. All text passed in is escaped (html``), SafeHtml is kept as it is.
 */

/** The hidden field every console form carries; the console's hook checks it on every POST. */
export function csrfField(request: FastifyRequest): SafeHtml {
  const session = findConsoleSession(request);
  return session ? html`<input type="hidden" name="csrf" value="${session.csrf}">` : html``;
}

/** The field a confirmed post carries (confirmForm): without it, an action shows its confirmation page. */
export const CONFIRM_FIELD = 'confirmed';

/** Whether the post came from the confirmation page's Confirm button. */
export function isConfirmed(body: unknown): boolean {
  return formValue(body, CONFIRM_FIELD) === 'yes';
}

/** One text value of a parsed form (the first, when the field came several times), trimmed. */
export function formValue(body: unknown, name: string): string | undefined {
  const raw = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  const value = Array.isArray(raw) ? raw[0] : raw;
  return typeof value === 'string' ? value.trim() : undefined;
}

/** Every value of a field that may come several times (checkboxes with one name). */
export function formValues(body: unknown, name: string): string[] {
  const raw = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string');
}

/**
 * A POST form with the CSRF field. `hidden` fields travel as they are (a repeated value, a
 * list); `fields` is the visible part.
 */
export function postForm(
  request: FastifyRequest,
  {
    action,
    submit,
    fields,
    hidden = {},
    danger = false,
    secondary = false,
    testid,
  }: { action: string; submit: string; fields?: SafeHtml; hidden?: Record<string, string | readonly string[]>; danger?: boolean; secondary?: boolean; testid?: string },
): SafeHtml {
  const cls = danger ? 'danger' : secondary ? 'secondary' : '';
  return html`<form method="post" action="${action}"${testid ? html` data-testid="${testid}"` : ''}>
${csrfField(request)}${hiddenFields(hidden)}${fields ?? ''}<button type="submit"${cls ? html` class="${cls}"` : ''}>${submit}</button>
</form>`;
}

export function hiddenFields(hidden: Record<string, string | readonly string[]>): SafeHtml {
  return html`${Object.entries(hidden).flatMap(([name, value]) =>
    (typeof value === 'string' ? [value] : value).map((v) => html`<input type="hidden" name="${name}" value="${v}">`),
  )}`;
}

let fieldSeq = 0;
/** An id for a field, unique in the page. */
const fieldId = (name: string) => `f-${name.replace(/[^\w-]/g, '_')}-${(fieldSeq++ % 1_000_000).toString(36)}`;

export interface FieldOptions {
  name: string;
  label: string;
  value?: string | undefined;
  hint?: string | undefined;
  /** The field's problem, shown under it and announced (aria-invalid, aria-describedby). */
  error?: string | undefined;
  required?: boolean;
  type?: 'text' | 'url' | 'number' | 'datetime-local' | 'search' | 'password';
  autocomplete?: string;
  testid?: string;
}

/** A labelled input, with its hint and error tied to it for screen readers. */
export function textField(o: FieldOptions): SafeHtml {
  const id = fieldId(o.name);
  const described = [o.hint ? `${id}-hint` : '', o.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field"><label for="${id}">${o.label}</label>
<input id="${id}" name="${o.name}" type="${o.type ?? 'text'}"${o.value !== undefined ? html` value="${o.value}"` : ''}${o.required ? html` required` : ''} autocomplete="${o.autocomplete ?? 'off'}"${described ? html` aria-describedby="${described}"` : ''}${o.error ? html` aria-invalid="true"` : ''}${o.testid ? html` data-testid="${o.testid}"` : ''}>
${o.hint ? html`<p class="hint" id="${id}-hint">${o.hint}</p>` : ''}${o.error ? html`<p class="field-msg" id="${id}-error">${o.error}</p>` : ''}</div>`;
}

/** A labelled textarea (one value per line, JSON…). */
export function textAreaField(o: Omit<FieldOptions, 'type'> & { rows?: number }): SafeHtml {
  const id = fieldId(o.name);
  const described = [o.hint ? `${id}-hint` : '', o.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field"><label for="${id}">${o.label}</label>
<textarea id="${id}" name="${o.name}" rows="${o.rows ?? 3}"${o.required ? html` required` : ''}${described ? html` aria-describedby="${described}"` : ''}${o.error ? html` aria-invalid="true"` : ''}${o.testid ? html` data-testid="${o.testid}"` : ''}>${o.value ?? ''}</textarea>
${o.hint ? html`<p class="hint" id="${id}-hint">${o.hint}</p>` : ''}${o.error ? html`<p class="field-msg" id="${id}-error">${o.error}</p>` : ''}</div>`;
}

/** A labelled select; `options` are [value, text]. */
export function selectField(o: Omit<FieldOptions, 'type'> & { options: readonly (readonly [string, string])[] }): SafeHtml {
  const id = fieldId(o.name);
  return html`<div class="field"><label for="${id}">${o.label}</label>
<select id="${id}" name="${o.name}"${o.hint ? html` aria-describedby="${id}-hint"` : ''}${o.testid ? html` data-testid="${o.testid}"` : ''}>${o.options.map(
    ([value, text]) => html`<option value="${value}"${value === o.value ? html` selected` : ''}>${text}</option>`,
  )}</select>
${o.hint ? html`<p class="hint" id="${id}-hint">${o.hint}</p>` : ''}</div>`;
}

/** A checkbox with its label around it. */
export function checkboxField({ name, label, checked, value = 'yes', testid }: { name: string; label: string; checked: boolean; value?: string; testid?: string }): SafeHtml {
  return html`<label class="checkbox"><input type="checkbox" name="${name}" value="${value}"${checked ? html` checked` : ''}${testid ? html` data-testid="${testid}"` : ''}> ${label}</label>`;
}

/**
 * A data table that becomes one card per row on a narrow screen: each cell is labelled with its
 * column (data-label). `empty` is said instead of an empty table.
 */
export function dataTable({
  caption,
  columns,
  rows,
  empty,
  testid,
}: { caption: string; columns: readonly string[]; rows: readonly (readonly (SafeHtml | string | number | undefined)[])[]; empty: string; testid?: string }): SafeHtml {
  if (rows.length === 0) return html`<p class="muted"${testid ? html` data-testid="${testid}-empty"` : ''}>${empty}</p>`;
  return html`<div class="table-wrap"><table class="data"${testid ? html` data-testid="${testid}"` : ''}><caption>${caption}</caption>
<thead><tr>${columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
<tbody>${rows.map((row) => html`<tr>${row.map((cell, i) => html`<td data-label="${columns[i] ?? ''}">${cell ?? ''}</td>`)}</tr>`)}</tbody>
</table></div>`;
}

/** Term/value pairs (a client's fields, a confirmation's facts). */
export function factList(facts: readonly (readonly [string, SafeHtml | string | number | undefined])[]): SafeHtml {
  return html`<dl class="kv">${facts.map(([term, value]) => html`<dt>${term}</dt><dd>${value ?? '—'}</dd>`)}</dl>`;
}

/** A problem with the admin's input, at the top of a form. */
export function errorMessage(message: string | readonly string[]): SafeHtml {
  const lines = typeof message === 'string' ? [message] : message;
  return html`<div class="messages" role="alert" data-testid="console/error">${lines.map((m) => html`<p class="msg error">${m}</p>`)}</div>`;
}

export interface Confirmation {
  /** The page's heading: the question (e.g. "Delete client app-a?"). */
  title: string;
  /** What will happen, in a sentence or two. */
  lead: string;
  facts?: readonly (readonly [string, SafeHtml | string | number | undefined])[];
  /** Where Confirm posts: the same action, with the same fields, plus `confirmed=yes`. */
  action: string;
  /** The fields the first post carried (everything but csrf and confirmed), sent again. */
  hidden?: Record<string, string | readonly string[]>;
  confirmLabel: string;
  /** Where Cancel goes (a GET: nothing changes). */
  cancelHref: string;
  danger?: boolean;
}

/**
 * The confirmation step of every change: a page that says what will happen, with Confirm (the
 * same post again, plus confirmed=yes) and Cancel (back, nothing done). An action route calls
 * `if (!isConfirmed(request.body)) return sendConfirmation(...)` before doing anything.
 */
export function confirmationBody(request: FastifyRequest, c: Confirmation): SafeHtml {
  return html`<h1 data-testid="console/confirm-title">${c.title}</h1>
<p class="lead">${c.lead}</p>
${c.facts ? factList(c.facts) : ''}
<div class="actions">
${postForm(request, { action: c.action, submit: c.confirmLabel, hidden: { ...(c.hidden ?? {}), [CONFIRM_FIELD]: 'yes' }, danger: c.danger ?? false, testid: 'console/confirm' })}
<a class="button-link secondary" href="${c.cancelHref}" data-testid="console/cancel">${t('console.confirm.cancel')}</a>
</div>`;
}

/** The fields of a parsed form to carry through a confirmation (without csrf and confirmed). */
export function carriedFields(body: unknown): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (typeof body !== 'object' || body === null) return out;
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (k === 'csrf' || k === CONFIRM_FIELD) continue;
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string');
  }
  return out;
}
