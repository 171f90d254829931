import { html, type SafeHtml } from '../http/html.ts';
import { allowPageScript } from '../http/security-headers.ts';
import { t } from '../i18n/translate.ts';
import { WEBAUTHN_SCRIPT_INTEGRITY, WEBAUTHN_SCRIPT_PATH } from './webauthn-script.ts';

/** The parts of a Kratos node read here (render-nodes.ts' FlowNode has them; no import, no cycle). */
interface FlowNode {
  type: string;
  attributes: Record<string, unknown>;
}

/** Kratos v1.3.1's `onclickTrigger` names the hub's script knows (webauthn-script.ts CEREMONIES). */
const CEREMONIES = new Set(['oryPasskeyLogin', 'oryPasskeyRegistration', 'oryPasskeySettingsRegistration', 'oryWebAuthnLogin', 'oryWebAuthnRegistration']);

/** The ceremony a node's button starts, if it is one the hub's script runs. */
export function webAuthnCeremony(node: FlowNode): string | undefined {
  const trigger = node.attributes.onclickTrigger;
  return node.type === 'input' && typeof trigger === 'string' && CEREMONIES.has(trigger) ? trigger : undefined;
}

/**
 * A passkey or security-key button: disabled, with the "needs JavaScript" note, until the hub's
 * script enables it; so with scripts off (or the script refused) it never looks usable. Kratos'
 * name and value stay on it: a security key's options travel in the trigger's value.
 */
export function renderWebAuthnButton(node: FlowNode, ceremony: string, label: SafeHtml | string, testId: string, alternative: boolean): SafeHtml {
  const a = node.attributes;
  const value = typeof a.value === 'string' ? a.value : a.value === undefined || a.value === null ? '' : JSON.stringify(a.value);
  return html`<div class="field webauthn">
<button type="button" name="${String(a.name ?? '')}" value="${value}" class="${alternative ? 'secondary' : 'primary'}" disabled data-webauthn="${ceremony}" data-testid="${testId}">${label}</button>
<p class="field-msg info" data-webauthn-note="nojs">${t('flows.node.needs_javascript')}</p>
<p class="field-msg info" data-webauthn-note="unsupported" hidden>${t('methods.webauthn.unsupported')}</p>
<p class="field-msg error" data-webauthn-note="failed" role="alert" hidden>${t('methods.webauthn.failed')}</p>
</div>`;
}

/**
 * The script tag for a UI with passkey or security-key buttons, once per page; '' otherwise, so
 * every other page stays without script. Its nonce joins this answer's CSP (allowPageScript); a
 * page rendered outside a request has no answer to allow it in, hence no tag.
 */
export function webAuthnScriptTag(nodes: readonly FlowNode[]): SafeHtml | '' {
  if (!nodes.some((n) => webAuthnCeremony(n))) return '';
  const nonce = allowPageScript();
  if (!nonce) return '';
  return html`<script src="${WEBAUTHN_SCRIPT_PATH}" integrity="${WEBAUTHN_SCRIPT_INTEGRITY}" nonce="${nonce}" defer></script>`;
}
