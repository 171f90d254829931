import { html, type SafeHtml } from '../http/html.ts';
import { hasMessage, t } from '../i18n/translate.ts';
import { copyFor, type KratosText } from './message-copy.ts';
import { lookupSecretNodes, renderLookupCodes, renderLookupSecretIntro } from './render-lookup-secret.ts';
import { renderProviderButtons } from './render-provider-buttons.ts';
import { renderWebAuthnButton, webAuthnCeremony, webAuthnScriptTag } from './webauthn-nodes.ts';

/** The parts of Kratos' UI container the renderer reads (structurally compatible with @ory/client). */
export interface FlowUi {
  action: string;
  method: string;
  messages?: KratosText[];
  nodes: FlowNode[];
}

export interface FlowNode {
  type: string;
  group: string;
  attributes: Record<string, unknown> & { node_type?: string };
  messages: KratosText[];
  meta: { label?: KratosText };
}

export interface RenderOptions {
  /** The hub's origin: a form or link Kratos points elsewhere is not rendered as is. */
  hubOrigin: string;
  /** Other origins a link node may point to (Kratos' "continue" link to an allow-listed return_to). */
  linkOrigins?: readonly string[];
  /** Show a heading per group (settings), instead of "or" separators (login, registration). */
  groupHeadings?: boolean;
  /** Upstream providers' logos by provider id, each already allowed by the answer's CSP (render-provider-buttons.ts). */
  providerLogos?: Readonly<Record<string, string>>;
}

/** A group's heading on the settings page: its catalog name, else its id made readable (a method newer than this code). */
function groupTitle(group: string): string {
  const key = `flows.group.${group}`;
  return hasMessage(key) ? t(key) : group.replaceAll('_', ' ');
}

/**
 * Renders Kratos' `ui` generically: whatever nodes, groups and messages Kratos sends, with no
 * form written per method. Layout rules, all derived from the nodes themselves:
 * - when the `default` group has visible fields (e.g. login's identifier) everything is one form,
 *   with each method group as a fieldset; otherwise each group is its own form carrying the
 *   default group's hidden fields (csrf_token, traits kept between steps), so a group's required
 *   fields never block another group's button;
 * - submit inputs become `<button name value>` (several share name=method); buttons that only
 *   navigate or resend (any name but `method`) come after the primary ones and skip browser
 *   validation, so "Send a new code" works with the code field empty, and Enter never resends;
 * - script nodes are not rendered: pages work without JavaScript and the CSP forbids inline code;
 *   passkey and security-key buttons get the hub's own script instead (webauthn-nodes.ts).
 */
export function renderUi(ui: FlowUi, options: RenderOptions): SafeHtml {
  return html`${renderForms(ui, options)}${webAuthnScriptTag(ui.nodes)}`;
}

function renderForms(ui: FlowUi, options: RenderOptions): SafeHtml {
  const action = linkUrl(ui.action, options.hubOrigin, []);
  const method = ui.method.toUpperCase() === 'GET' ? 'get' : 'post';
  const defaults = ui.nodes.filter((n) => n.group === 'default');
  const groups = groupOrder(ui.nodes.filter((n) => n.group !== 'default'));
  const ids = new FieldIds(focusTarget([...defaults, ...groups.flatMap((g) => g.nodes)], ui.messages ?? []));
  const defaultVisible = defaults.some((n) => !isHidden(n));
  // An "or" goes only between two groups of methods that are both shown: never above the first
  // (or only) group, even when default fields (login's identifier, registration's traits) precede
  // it, since those fields belong to every method.
  const shown = groups.map((g) => g.nodes.some((n) => !isHidden(n)) && !(!options.groupHeadings && isNavigationOnly(g.nodes)));
  const withOr = (i: number) => !options.groupHeadings && shown[i] === true && shown.slice(0, i).some(Boolean);

  if (defaultVisible || groups.length <= 1) {
    const nodes = [...defaults, ...groups.flatMap((g) => g.nodes)];
    return html`<form action="${action}" method="${method}" data-testid="flow/form">
${defaults.map((n) => renderNode(n, nodes, ids, options))}
${groups.map((g, i) => renderGroup(g, nodes, ids, options, withOr(i)))}
</form>`;
  }
  return html`${groups.map((g, i) => {
    const nodes = [...defaults, ...g.nodes];
    return html`<form action="${action}" method="${method}" class="group-form" data-testid="flow/form/${g.group}">
${defaults.map((n) => renderNode(n, nodes, ids, options))}
${renderGroup(g, nodes, ids, options, withOr(i))}
</form>`;
  })}`;
}

function renderGroup(
  g: { group: string; nodes: FlowNode[] },
  formNodes: FlowNode[],
  ids: FieldIds,
  options: RenderOptions,
  or: boolean,
): SafeHtml {
  const { group } = g;
  // Backup codes: shown once, regenerated instead of revealed (render-lookup-secret.ts).
  const nodes = group === 'lookup_secret' && options.groupHeadings ? lookupSecretNodes(g.nodes) : g.nodes;
  // Upstream identity providers: buttons with each provider's name and mark (render-provider-buttons.ts).
  if (group === 'oidc') return renderProviderButtons(nodes, { settings: options.groupHeadings === true, logos: options.providerLogos ?? {} });
  const visible = nodes.some((n) => !isHidden(n));
  // Settings has no navigation groups: a group with only an action (remove the authenticator app,
  // unlink an account) is still a section with its heading and a real button.
  const nav = !options.groupHeadings && isNavigationOnly(nodes);
  const primary = nodes.filter((n) => !isSecondaryButton(n));
  const secondary = nodes.filter(isSecondaryButton);
  return html`<fieldset class="group group-${group}${nav ? ' nav' : ''}" data-testid="group/${group}">
${options.groupHeadings && visible && !nav ? html`<legend class="group-title">${groupTitle(group)}</legend>` : or && visible && !nav ? html`<div class="or" aria-hidden="true"><span>${t('flows.node.or')}</span></div>` : ''}
${group === 'lookup_secret' && options.groupHeadings ? renderLookupSecretIntro(nodes) : ''}
${primary.map((n) => renderNode(n, formNodes, ids, options, or && !nodes.some(isRequiredField)))}
${secondary.length ? html`<div class="secondary-actions">${secondary.map((n) => renderNode(n, formNodes, ids, options))}</div>` : ''}
</fieldset>`;
}

function renderNode(node: FlowNode, formNodes: FlowNode[], ids: FieldIds, options: RenderOptions, alternative = false): SafeHtml {
  const a = node.attributes;
  const testId = `node/${node.group}/${String(a.name ?? a.id ?? node.type)}`;
  switch (node.type) {
    case 'input':
      return renderInput(node, formNodes, ids, testId, alternative);
    case 'text': {
      const text = a.text as KratosText | undefined;
      const secrets = (text?.context as { secrets?: KratosText[] } | undefined)?.secrets;
      if (node.group === 'lookup_secret' && Array.isArray(secrets)) return renderLookupCodes(node, secrets, testId);
      return html`<div class="node-text" data-testid="${testId}" id="${String(a.id ?? '')}">
${node.meta.label ? html`<p class="node-label">${copyFor(node.meta.label, node.group)}</p>` : ''}
${Array.isArray(secrets) ? html`<ul class="secrets">${secrets.map((s) => html`<li><code>${copyFor(s)}</code></li>`)}</ul>` : text ? html`<p><code class="code">${copyFor(text)}</code></p>` : ''}
${renderNodeMessages(node, undefined)}
</div>`;
    }
    case 'img':
      return html`<figure class="node-img" data-testid="${testId}">
<img src="${safeImageSrc(String(a.src ?? ''))}" alt="${node.meta.label ? copyFor(node.meta.label, node.group) : ''}" width="${Number(a.width) || 256}" height="${Number(a.height) || 256}">
${renderNodeMessages(node, undefined)}
</figure>`;
    case 'a': {
      const title = a.title as KratosText | undefined;
      const href = linkUrl(String(a.href ?? ''), options.hubOrigin, options.linkOrigins ?? []);
      return html`<p class="node-a"><a class="button-link" href="${href}" id="${String(a.id ?? '')}" data-testid="${testId}">${title ? copyFor(title, node.group) : href}</a></p>`;
    }
    default:
      // script (needs JavaScript, which these pages never run) and anything newer than this code
      return html``;
  }
}

/** `alternative`: a one-button method offered after an "or", styled as the second choice. */
function renderInput(node: FlowNode, formNodes: FlowNode[], ids: FieldIds, testId: string, alternative: boolean): SafeHtml {
  const a = node.attributes;
  const name = String(a.name ?? '');
  const type = String(a.type ?? 'text');
  const value = attributeValue(a.value);
  const label = node.meta.label ? copyFor(node.meta.label, node.group) : name;
  const disabled = a.disabled === true;
  if (type === 'hidden') return html`<input type="hidden" name="${name}" value="${value}" data-testid="${testId}">`;
  if (type === 'submit' || type === 'button') {
    const secondary = isSecondaryButton(node);
    // Browser validation only guards the fields of the button's own method.
    const skipValidation = secondary || formNodes.some((n) => isRequiredField(n) && n.group !== node.group && n.group !== 'default');
    const ceremony = webAuthnCeremony(node);
    if (type === 'button' && ceremony) return renderWebAuthnButton(node, ceremony, label, testId, alternative);
    if (type === 'button') {
      // Buttons without a submit action need JavaScript (WebAuthn, passkeys); say so instead of failing silently.
      return html`<button type="button" class="secondary" disabled data-testid="${testId}">${label}</button><p class="field-msg info">${t('flows.node.needs_javascript')}</p>`;
    }
    return html`<button type="submit" name="${name}" value="${value}" class="${secondary || alternative ? 'secondary' : 'primary'}"${skipValidation ? html` formnovalidate` : ''}${disabled ? html` disabled` : ''} data-testid="${testId}">${label}</button>`;
  }
  const id = ids.next(name);
  const messages = node.messages ?? [];
  const invalid = messages.some((m) => m.type === 'error');
  // After a refused submission focus goes to the first field to fix, without JavaScript.
  const autofocus = ids.focus === node;
  const describedBy = messages.length ? `${id}-msg` : '';
  const common = html`id="${id}" name="${name}"${a.required === true ? html` required` : ''}${disabled ? html` disabled` : ''}${invalid ? html` aria-invalid="true"` : ''}${autofocus ? html` autofocus` : ''}${describedBy ? html` aria-describedby="${describedBy}"` : ''} data-testid="${testId}"`;
  if (type === 'checkbox') {
    return html`<div class="field">
<label class="checkbox"><input type="checkbox" ${common} value="true"${a.value === true || a.value === 'true' ? html` checked` : ''}> <span>${label}</span></label>
${renderNodeMessages(node, describedBy)}
</div>`;
  }
  const looksLikeCode = name === 'code' || name.endsWith('_code') || name === 'totp_code';
  const autocomplete = typeof a.autocomplete === 'string' && a.autocomplete ? a.autocomplete : defaultAutocomplete(name, type, looksLikeCode);
  return html`<div class="field">
<label for="${id}">${label}</label>
<input type="${INPUT_TYPES.has(type) ? type : 'text'}" ${common} value="${type === 'password' ? '' : value}"${autocomplete ? html` autocomplete="${autocomplete}"` : ''}${typeof a.pattern === 'string' ? html` pattern="${a.pattern}"` : ''}${typeof a.maxlength === 'number' ? html` maxlength="${a.maxlength}"` : ''}${looksLikeCode ? html` inputmode="numeric" class="code"` : ''}${name === 'lookup_secret' ? html` autocapitalize="none" spellcheck="false" class="code"` : ''}>
${renderNodeMessages(node, describedBy)}
</div>`;
}

/**
 * Kratos v1.3.1 sets `autocomplete` on email traits (`email`), passwords (`current-password` on
 * login, `new-password` on registration and settings) and some code fields; not on login's
 * identifier nor on other traits. Those get the token password managers and browsers expect.
 */
function defaultAutocomplete(name: string, type: string, looksLikeCode: boolean): string {
  if (looksLikeCode) return 'one-time-code';
  if (name === 'identifier') return 'username';
  if (name === 'lookup_secret') return 'off';
  if (name === 'traits.email' || type === 'email') return 'email';
  if (name === 'traits.name') return 'name';
  return '';
}

function renderNodeMessages(node: FlowNode, id: string | undefined): SafeHtml {
  const messages = node.messages ?? [];
  if (!messages.length) return html``;
  return html`<div class="field-messages"${id ? html` id="${id}"` : ''}>${messages.map(
    (m) => html`<p class="field-msg ${m.type === 'error' ? 'error' : 'info'}" data-testid="ui/message/${m.id}">${copyFor(m)}</p>`,
  )}</div>`;
}

/**
 * The flow-level messages, each carrying Kratos' id for tests and support. Not a list: each
 * message is its own live region (`alert` for errors, `status` otherwise), and a `role` on a
 * list item would break the list for assistive technology (axe: list, listitem).
 */
export function renderMessages(messages: readonly KratosText[] | undefined, extra: SafeHtml | string = ''): SafeHtml {
  const list = messages ?? [];
  if (!list.length && !extra) return html``;
  return html`<div class="messages">${extra}${list.map((m) => renderMessage(m.type, copyFor(m), `ui/message/${m.id}`))}</div>`;
}

/** One flow-level message: a live region announced politely, or at once for an error. */
export function renderMessage(type: string | undefined, text: SafeHtml | string, testId: string): SafeHtml {
  const kind = type === 'error' ? 'error' : type === 'success' ? 'success' : 'info';
  return html`<div class="msg ${kind}" role="${kind === 'error' ? 'alert' : 'status'}" data-testid="${testId}">${text}</div>`;
}

const INPUT_TYPES = new Set(['text', 'email', 'password', 'number', 'tel', 'url', 'date', 'datetime-local', 'checkbox']);

function isHidden(n: FlowNode): boolean {
  // A script node shows nothing: a group holding only Kratos' script (webauthn) is not shown.
  return (n.type === 'input' && n.attributes.type === 'hidden') || n.type === 'script';
}

function isButton(n: FlowNode): boolean {
  return n.type === 'input' && (n.attributes.type === 'submit' || n.attributes.type === 'button');
}

/** Buttons that resend, go back or act on something besides the method's own fields. */
function isSecondaryButton(n: FlowNode): boolean {
  // A passkey or security-key button is its method's primary button, whatever its name.
  // "I have saved these codes" is the backup-code step's own action.
  return isButton(n) && n.attributes.name !== 'method' && n.attributes.name !== 'lookup_secret_confirm' && !webAuthnCeremony(n);
}

function isRequiredField(n: FlowNode): boolean {
  return n.type === 'input' && n.attributes.required === true && !isHidden(n) && !isButton(n);
}

function isNavigationOnly(nodes: FlowNode[]): boolean {
  return nodes.every((n) => isHidden(n) || isSecondaryButton(n)) && nodes.some(isSecondaryButton);
}

function groupOrder(nodes: FlowNode[]): { group: string; nodes: FlowNode[] }[] {
  const out: { group: string; nodes: FlowNode[] }[] = [];
  for (const n of nodes) {
    const g = out.find((x) => x.group === n.group);
    if (g) g.nodes.push(n);
    else out.push({ group: n.group, nodes: [n] });
  }
  // Groups with fields to fill in first, then one-button alternatives, then "Back" style groups.
  const rank = (g: { nodes: FlowNode[] }) => (isNavigationOnly(g.nodes) ? 2 : g.nodes.some(isRequiredField) ? 0 : 1);
  return out.map((g, i) => ({ g, i })).sort((x, y) => rank(x.g) - rank(y.g) || x.i - y.i).map(({ g }) => g);
}

function attributeValue(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** Form actions stay on the hub's origin (Kratos' base_url); links may also reach allow-listed apps. */
function linkUrl(value: string, hubOrigin: string, otherOrigins: readonly string[]): string {
  try {
    const url = new URL(value, hubOrigin);
    const origins = [hubOrigin, ...otherOrigins].map((o) => new URL(o).origin);
    if (origins.includes(url.origin)) return url.toString();
  } catch {
    // fall through
  }
  return '/';
}

function safeImageSrc(src: string): string {
  return /^data:image\/(png|jpeg|gif|svg\+xml);base64,[a-z0-9+/=]+$/i.test(src) ? src : '';
}

/**
 * The one field that gets `autofocus` after a refused submission (no JavaScript needed): the first,
 * in document order, that carries an error. Kratos puts some errors on the whole flow instead
 * (a wrong code, 4040003 and 4010008; wrong credentials, 4000006): then the first required field
 * shown, the one to fill in again. None without an error, so a fresh page does not jump.
 */
function focusTarget(ordered: FlowNode[], flowMessages: readonly KratosText[]): FlowNode | undefined {
  const fields = ordered.filter((n) => n.type === 'input' && !isHidden(n) && !isButton(n) && n.attributes.disabled !== true);
  const withError = fields.find((n) => (n.messages ?? []).some((m) => m.type === 'error'));
  if (withError) return withError;
  return flowMessages.some((m) => m.type === 'error') ? fields.find(isRequiredField) : undefined;
}

/** Per page: unique field ids, and the field that gets `autofocus` (see focusTarget). */
class FieldIds {
  private readonly used = new Map<string, number>();
  readonly focus: FlowNode | undefined;
  constructor(focus: FlowNode | undefined) {
    this.focus = focus;
  }
  next(name: string): string {
    const base = `f-${name.replace(/[^a-zA-Z0-9_-]/g, '-')}`;
    const n = (this.used.get(base) ?? 0) + 1;
    this.used.set(base, n);
    return n === 1 ? base : `${base}-${n}`;
  }
}
