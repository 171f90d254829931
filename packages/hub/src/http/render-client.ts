/**
 * Owns how a page names a client app from its registered metadata (issue #20): its name (linked
 * to client_uri), and links to its privacy policy and terms. Every value is escaped, and only
 * https addresses become links. The logo (logo_uri) is shown only where the route allowed its
 * origin in the answer's CSP (security-headers.ts, allowClientImage), which hands back its URL.
 */
import type { ClientDisplay } from '../bridge/bridge.ts';
import { t, th } from '../i18n/translate.ts';
import { html, type SafeHtml } from './html.ts';

/** The address when it is an absolute https URL without credentials, else undefined. */
export function httpsOnly(uri: string | undefined): string | undefined {
  if (!uri) return undefined;
  try {
    const url = new URL(uri);
    return url.protocol === 'https:' && !url.username && !url.password ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

/** The app's name, a link to its client_uri when that is https. */
export function renderClientName(client: Pick<ClientDisplay, 'name' | 'clientUri'>, testid: string): SafeHtml {
  const href = httpsOnly(client.clientUri);
  return href
    ? html`<a href="${href}" rel="noopener noreferrer" data-testid="${testid}">${client.name}</a>`
    : html`<strong data-testid="${testid}">${client.name}</strong>`;
}

/** "Shop B's privacy policy and terms of service", for the https ones set; '' when none. */
export function renderClientPolicies(client: Pick<ClientDisplay, 'name' | 'policyUri' | 'tosUri'>, prefix: string): SafeHtml | '' {
  const policy = httpsOnly(client.policyUri);
  const tos = httpsOnly(client.tosUri);
  if (!policy && !tos) return '';
  const link = (href: string, key: 'flows.client.policy_link' | 'flows.client.tos_link', id: string) =>
    html`<a href="${href}" rel="noopener noreferrer" data-testid="${prefix}/${id}">${t(key)}</a>`;
  const line =
    policy && tos
      ? th('flows.client.policies.both', { app: client.name, policy: link(policy, 'flows.client.policy_link', 'policy'), tos: link(tos, 'flows.client.tos_link', 'tos') })
      : policy
        ? th('flows.client.policies.policy', { app: client.name, policy: link(policy, 'flows.client.policy_link', 'policy') })
        : th('flows.client.policies.tos', { app: client.name, tos: link(tos ?? '', 'flows.client.tos_link', 'tos') });
  return html`<p class="muted" data-testid="${prefix}/policies">${line}</p>`;
}

/**
 * The app's logo beside its name: decorative (alt=""), since the name is always written next to
 * it. `src` must come from allowClientImage, so the answer's CSP allows it.
 */
export function renderClientLogo(src: string | undefined, testid: string): SafeHtml | '' {
  return src ? html`<img class="client-logo" src="${src}" alt="" width="40" height="40" data-testid="${testid}">` : '';
}
