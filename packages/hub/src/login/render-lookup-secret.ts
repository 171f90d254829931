import { html, type SafeHtml } from '../http/html.ts';
import { t } from '../i18n/translate.ts';
import { copyFor, type KratosText } from './message-copy.ts';

/** The parts of a Kratos UI node read here; render-nodes.ts' FlowNode fits (no import: no cycle). */
interface LookupNode {
  type: string;
  group: string;
  attributes: Record<string, unknown>;
  meta: { label?: KratosText };
}

/**
 * Backup codes (Kratos' `lookup_secret` method) on the settings page, issue #21: created, shown
 * once, regenerated.
 *
 * Kratos offers "Show backup codes" (`lookup_secret_reveal`) once codes are saved, and its
 * "Create new backup codes" only after that reveal. The hub shows the codes only when they are
 * created: in place of the reveal button it offers regenerating them, which Kratos accepts from
 * any settings flow of a privileged session. A lost list is replaced, never shown again.
 */
export function lookupSecretNodes<T extends LookupNode>(nodes: T[]): T[] {
  if (nodes.some((n) => n.attributes.name === 'lookup_secret_regenerate')) return nodes.filter((n) => n.attributes.name !== 'lookup_secret_reveal');
  return nodes.map((n) =>
    n.attributes.name === 'lookup_secret_reveal'
      ? ({ ...n, attributes: { ...n.attributes, name: 'lookup_secret_regenerate', value: 'true' }, meta: { label: REGENERATE_LABEL } } as T)
      : n,
  );
}

/** Kratos' own label of its regenerate button (text id 1050008), worded by the catalogs. */
const REGENERATE_LABEL: KratosText = { id: 1050008, text: 'Generate new backup recovery codes', type: 'info' };

/** The settings section's first lines: what backup codes are for, and what creating new ones does. */
export function renderLookupSecretIntro(nodes: LookupNode[]): SafeHtml | '' {
  if (nodes.some((n) => n.attributes.id === 'lookup_secret_codes')) return '';
  const saved = nodes.some((n) => n.attributes.name === 'lookup_secret_disable');
  return html`<p class="group-intro" data-testid="backup-codes/intro">${t('password.backup.intro')}${saved ? html` ${t('password.backup.replace_hint')}` : ''}</p>`;
}

/**
 * The new codes as a list, with Kratos' "keep them safe" label and the hub's "shown only this
 * once" warning; the "I have saved these codes" button that follows stores them. A used code (only
 * in a list Kratos reveals) reads "Used on …".
 */
export function renderLookupCodes(node: LookupNode, secrets: KratosText[], testId: string): SafeHtml {
  return html`<div class="node-text backup-codes" data-testid="${testId}" id="${String(node.attributes.id ?? '')}">
${node.meta.label ? html`<p class="node-label">${copyFor(node.meta.label, node.group)}</p>` : ''}
<div class="msg info" data-testid="backup-codes/shown-once"><strong>${t('password.backup.shown_once')}</strong></div>
<ul class="secrets" aria-label="${t('password.backup.list_label')}">${secrets.map((s) => html`<li><code>${copyFor(s)}</code></li>`)}</ul>
</div>`;
}
