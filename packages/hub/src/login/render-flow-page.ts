import type { ClientDisplay } from '../bridge/bridge.ts';
import { html, type SafeHtml } from '../http/html.ts';
import { renderClientLogo, renderClientName, renderClientPolicies } from '../http/render-client.ts';
import { t, th } from '../i18n/translate.ts';
import type { AnyFlow, FlowKind } from '../kratos/kratos-client.ts';
import { FLOW_NOTICES, type FlowNoticeCode } from './flow-notice.ts';
import { type FlowNode, type FlowUi, renderMessage, renderMessages, renderUi } from './render-nodes.ts';

interface FlowFacts {
  state?: string | undefined;
  refresh?: boolean | undefined;
  requested_aal?: string | undefined;
}

type HeadingKey = 'login' | 'login.sent' | 'login.aal2' | 'login.refresh' | 'registration' | 'registration.sent' | 'recovery' | 'recovery.sent' | 'verification' | 'verification.sent' | 'verification.passed' | 'settings';

/** Which heading a flow gets, from its kind and state (never from its methods). */
function headingKey(kind: FlowKind, flow: FlowFacts): HeadingKey {
  const sent = flow.state === 'sent_email';
  switch (kind) {
    case 'login':
      if (sent) return 'login.sent';
      if (flow.requested_aal === 'aal2') return 'login.aal2';
      if (flow.refresh) return 'login.refresh';
      return 'login';
    case 'registration':
      return sent ? 'registration.sent' : 'registration';
    case 'recovery':
      return sent ? 'recovery.sent' : 'recovery';
    case 'verification':
      if (flow.state === 'passed_challenge') return 'verification.passed';
      return sent ? 'verification.sent' : 'verification';
    case 'settings':
      return 'settings';
  }
}

/** Title and lead sentence for a flow, in the request's language. */
export function headingFor(kind: FlowKind, flow: FlowFacts): { title: string; lead: string } {
  const key = headingKey(kind, flow);
  return { title: t(`flows.${key}.title`), lead: t(`flows.${key}.lead`) };
}

export interface FlowPageLinks {
  /** return_to of the flow, already checked against the allow-list, to keep on every hop. */
  returnTo: string | undefined;
  signedIn: boolean;
  /** Settings: the app to go back to (an allow-listed return_to on another origin), by name. */
  back?: { href: string; app: string } | undefined;
  /** Settings: an address of the identity is still unverified, so the page offers to verify it. */
  unverified?: boolean | undefined;
  /**
   * Verification the address policy asked for in the middle of an app's sign-in: where giving up
   * sends the app access_denied (bridge/interactions, decision 0016).
   */
  cancelSignIn?: string | undefined;
}

function withReturnTo(path: string, returnTo: string | undefined): string {
  return returnTo ? `${path}?return_to=${encodeURIComponent(returnTo)}` : path;
}

/** The links under a flow: every hop keeps return_to, so the user ends up where they started. */
export function renderFlowLinks(kind: FlowKind, { returnTo, signedIn, back, unverified, cancelSignIn }: FlowPageLinks, flow: FlowFacts = {}): SafeHtml {
  const link = (path: string, text: string, id: string) => html`<a href="${withReturnTo(path, returnTo)}" data-testid="link/${id}">${text}</a>`;
  const nav = (links: SafeHtml) => html`<nav class="links" aria-label="${t('flows.links.label')}">${links}</nav>`;
  switch (kind) {
    case 'login':
      // The password step is done: creating an account or recovering one makes no sense here,
      // but someone without their authenticator app must be able to give up.
      if (flow.requested_aal === 'aal2') return nav(html`<a href="/logout" data-testid="link/logout">${t('flows.links.sign_out')}</a>`);
      return nav(html`${link('/registration', t('flows.links.create_account'), 'registration')}${link('/recovery', t('flows.links.forgot_password'), 'recovery')}`);
    case 'registration':
      return nav(html`<span class="muted">${t('flows.links.have_account')}</span>${link('/login', t('flows.links.sign_in'), 'login')}`);
    case 'recovery':
      return nav(link('/login', t('flows.links.back_to_sign_in'), 'login'));
    case 'verification':
      if (cancelSignIn && flow.state !== 'passed_challenge') {
        return nav(html`<a href="${cancelSignIn}" data-testid="link/cancel-sign-in">${t('verify.links.cancel_sign_in')}</a><a href="/logout" data-testid="link/logout">${t('flows.links.sign_out')}</a>`);
      }
      return nav(signedIn ? html`<a href="/" data-testid="link/home">${t('flows.links.go_to_account')}</a>` : link('/login', t('flows.links.back_to_sign_in'), 'login'));
    case 'settings':
      return nav(
        html`${back ? html`<a href="${back.href}" data-testid="link/back">${t('flows.links.back_to_app', { app: back.app })}</a>` : ''}<a href="/" data-testid="link/home">${t('flows.links.home')}</a>${unverified ? link('/verification', t('flows.links.verify_email'), 'verification') : ''}<a href="/logout" data-testid="link/logout">${t('flows.links.sign_out')}</a>`,
      );
  }
}

/** A flow notice as one message of the page's messages (see renderMessages). */
export function renderNotice(code: FlowNoticeCode | undefined, flow?: { state?: string | undefined; ui?: FlowUi }): SafeHtml | '' {
  if (!code) return '';
  const notice = FLOW_NOTICES[code];
  if (code === 'code_resent') {
    // Only true when Kratos did send: the flow waits for a code and carries no error.
    if (!flow?.ui || flow.state !== 'sent_email' || hasError(flow.ui)) return '';
    const to = codeAddress(flow.ui.nodes);
    const text = to ? th('flows.notice.code_resent_to', { address: html`<strong>${to}</strong>` }) : t(notice.key);
    return renderMessage(notice.type, text, `ui/notice/${code}`);
  }
  return renderMessage(notice.type, t(notice.key), `ui/notice/${code}`);
}

function hasError(ui: FlowUi): boolean {
  return [...(ui.messages ?? []), ...ui.nodes.flatMap((n) => n.messages ?? [])].some((m) => m.type === 'error');
}

/** The address a code went to: the identifier (login) or email trait (registration) Kratos keeps in the flow. */
function codeAddress(nodes: FlowNode[]): string | undefined {
  for (const name of ['identifier', 'traits.email', 'email']) {
    const value = nodes.find((n) => n.type === 'input' && n.attributes.name === name)?.attributes.value;
    if (typeof value === 'string' && value) return value;
  }
  return undefined;
}

/**
 * "Sign in to continue to Shop B" (login) or "Create your account to continue to Shop B"
 * (registration), with the app's policy and terms links, for a flow started by an app's
 * authorization request (issue #20); '' for other flows or without a known client.
 */
export function renderClientLine(kind: FlowKind, client: ClientDisplay | undefined): SafeHtml | '' {
  if (!client || (kind !== 'login' && kind !== 'registration')) return '';
  const line = th(kind === 'login' ? 'flows.client.login' : 'flows.client.registration', { app: renderClientName(client, 'flow/client-name') });
  return html`<p class="destination" data-testid="flow/client">${line}</p>
${renderClientPolicies(client, 'flow/client')}`;
}

/** The body of a flow page: heading, messages, Kratos' nodes, then the links to other flows. */
export function renderFlowBody(
  kind: FlowKind,
  flow: AnyFlow,
  {
    hubOrigin,
    linkOrigins,
    notice,
    links,
    destination,
    client,
    clientLogoSrc,
    providerLogos,
  }: {
    hubOrigin: string;
    linkOrigins: readonly string[];
    notice: FlowNoticeCode | undefined;
    links: FlowPageLinks;
    destination: string | undefined;
    /** The app the sign-in is for, from the client registry (see client-of-return-to.ts). */
    client?: ClientDisplay | undefined;
    /** That app's logo, as allowed in the answer's CSP (security-headers.ts, allowClientImage). */
    clientLogoSrc?: string | undefined;
    /** Upstream providers' logos by provider id, as allowed in the answer's CSP (upstream/provider-logos.ts). */
    providerLogos?: Readonly<Record<string, string>>;
  },
): SafeHtml {
  const facts = flow as FlowFacts;
  const { title, lead } = headingFor(kind, facts);
  const ui = flow.ui as unknown as FlowUi;
  const logo = client && (kind === 'login' || kind === 'registration') ? renderClientLogo(clientLogoSrc, 'flow/client-logo') : '';
  return html`${logo}<h1 data-testid="flow/title">${title}</h1>
<p class="lead">${lead}</p>
${renderClientLine(kind, client)}
${destination ? html`<p class="destination" data-testid="flow/destination">${th('flows.page.destination', { host: html`<strong>${destination}</strong>` })}</p>` : ''}
${renderMessages(ui.messages, renderNotice(notice, { state: facts.state, ui }))}
<div class="flow flow-${kind}" data-testid="flow/${kind}" data-state="${facts.state ?? ''}">
${renderUi(ui, { hubOrigin, linkOrigins, groupHeadings: kind === 'settings', ...(providerLogos ? { providerLogos } : {}) })}
</div>
${renderFlowLinks(kind, links, facts)}`;
}
