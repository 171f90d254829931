import { html, type SafeHtml } from '../http/html.ts';
import { t } from '../i18n/translate.ts';
import { copyFor, type KratosText } from './message-copy.ts';

/** The parts of an oidc node read here (render-nodes.ts' FlowNode, restated to keep the imports one-way). */
interface FlowNode {
  type: string;
  group: string;
  attributes: Record<string, unknown>;
  meta: { label?: KratosText };
}

/**
 * Kratos' `oidc` group: one button per upstream identity provider. On login and registration a
 * `provider` button starts the upstream sign-in ("Sign in with Corp"); on settings `link` and
 * `unlink` buttons connect or disconnect a provider. Plain submit buttons: the redirect to the
 * provider is Kratos' answer to the post, so no script is needed.
 *
 * The buttons never block on the fields of other methods (formnovalidate): a user who chooses the
 * directory has not typed a password. Each carries the provider's logo (hub option
 * `upstreamLogos`, already allowed by the answer's CSP: upstream/provider-logos.ts), else its
 * name's initial drawn by the stylesheet, so the list scans like the buttons users know.
 */
export function renderProviderButtons(nodes: readonly FlowNode[], options: { settings: boolean; logos: Readonly<Record<string, string>> }): SafeHtml {
  const hidden = nodes.filter((n) => n.type === 'input' && n.attributes.type === 'hidden');
  const buttons = nodes.filter((n) => n.type === 'input' && n.attributes.type === 'submit');
  if (!buttons.length) return html``;
  const linked = buttons.filter((n) => n.attributes.name === 'unlink');
  const unlinked = buttons.filter((n) => n.attributes.name !== 'unlink');
  const heading = options.settings
    ? html`<legend class="group-title">${t('flows.group.oidc')}</legend><p class="muted providers-lead">${t('upstream.settings.lead')}</p>`
    : html`<div class="or" aria-hidden="true"><span>${t('upstream.or')}</span></div>`;
  return html`<fieldset class="group group-oidc providers" data-testid="group/oidc">
${heading}
${hidden.map((n) => html`<input type="hidden" name="${String(n.attributes.name ?? '')}" value="${String(n.attributes.value ?? '')}">`)}
${options.settings && linked.length ? html`<p class="providers-state" data-testid="upstream/linked">${t('upstream.settings.linked', { count: linked.length })}</p>` : ''}
${[...linked, ...unlinked].map((n) => providerButton(n, options.logos))}
</fieldset>`;
}

function providerButton(node: FlowNode, logos: Readonly<Record<string, string>>): SafeHtml {
  const a = node.attributes;
  const name = String(a.name ?? '');
  const id = String(a.value ?? '');
  const context = (node.meta.label?.context ?? {}) as { provider?: unknown };
  const providerName = typeof context.provider === 'string' && context.provider ? context.provider : id;
  const label = node.meta.label ? copyFor(node.meta.label, node.group) : t('upstream.continue_with', { provider: providerName });
  const logo = Object.hasOwn(logos, id) ? logos[id] : undefined;
  // The logo is decoration beside the name the label already says: empty alt, hidden from assistive technology.
  const mark = logo
    ? html`<img class="provider-logo" src="${logo}" alt="" width="24" height="24" data-testid="upstream/logo/${id}">`
    : html`<span class="provider-mark" aria-hidden="true">${[...providerName.trim()][0]?.toUpperCase() ?? '?'}</span>`;
  return html`<button type="submit" name="${name}" value="${id}" class="secondary provider-button${name === 'unlink' ? ' provider-unlink' : ''}" formnovalidate${a.disabled === true ? html` disabled` : ''} data-testid="upstream/${name}/${id}">${mark}<span>${label}</span></button>`;
}
