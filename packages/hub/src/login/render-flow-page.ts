import type { ClientDisplay } from '../bridge/bridge.ts';
import { html, type SafeHtml } from '../http/html.ts';
import { renderClientName, renderClientPolicies } from '../http/render-client.ts';
import type { AnyFlow, FlowKind } from '../kratos/kratos-client.ts';
import { FLOW_NOTICES, type FlowNoticeCode } from './flow-notice.ts';
import { type FlowNode, type FlowUi, renderMessage, renderMessages, renderUi } from './render-nodes.ts';

interface FlowFacts {
  state?: string | undefined;
  refresh?: boolean | undefined;
  requested_aal?: string | undefined;
}

/** Title and lead sentence for a flow, from its kind and state (never from its methods). */
export function headingFor(kind: FlowKind, flow: FlowFacts): { title: string; lead: string } {
  const sent = flow.state === 'sent_email';
  switch (kind) {
    case 'login':
      if (sent) return { title: 'Check your email', lead: 'Enter the code we just sent you to sign in.' };
      if (flow.requested_aal === 'aal2') return { title: 'Two-step verification', lead: 'Confirm your sign-in with your second factor.' };
      if (flow.refresh) return { title: 'Confirm it is you', lead: 'Sign in again to continue.' };
      return { title: 'Sign in', lead: 'One account for every app connected to this service.' };
    case 'registration':
      if (sent) return { title: 'Check your email', lead: 'Enter the code we just sent you to finish creating your account.' };
      return { title: 'Create your account', lead: 'One account for every app connected to this service.' };
    case 'recovery':
      if (sent) return { title: 'Check your email', lead: 'Enter the recovery code we sent you.' };
      return { title: 'Recover your account', lead: 'Enter the email address of your account and we will send you a code to get back in.' };
    case 'verification':
      if (flow.state === 'passed_challenge') return { title: 'Email verified', lead: 'Your email address is confirmed.' };
      if (sent) return { title: 'Check your email', lead: 'Enter the verification code we sent you.' };
      return { title: 'Verify your email address', lead: 'We will send a code to confirm the address belongs to you.' };
    case 'settings':
      return { title: 'Your account', lead: 'Change your profile and how you sign in.' };
  }
}

export interface FlowPageLinks {
  /** return_to of the flow, already checked against the allow-list, to keep on every hop. */
  returnTo: string | undefined;
  signedIn: boolean;
  /** Settings: the app to go back to (an allow-listed return_to on another origin), by name. */
  back?: { href: string; app: string } | undefined;
  /** Settings: an address of the identity is still unverified, so the page offers to verify it. */
  unverified?: boolean | undefined;
}

function withReturnTo(path: string, returnTo: string | undefined): string {
  return returnTo ? `${path}?return_to=${encodeURIComponent(returnTo)}` : path;
}

/** The links under a flow: every hop keeps return_to, so the user ends up where they started. */
export function renderFlowLinks(kind: FlowKind, { returnTo, signedIn, back, unverified }: FlowPageLinks, flow: FlowFacts = {}): SafeHtml {
  const link = (path: string, text: string, id: string) => html`<a href="${withReturnTo(path, returnTo)}" data-testid="link/${id}">${text}</a>`;
  switch (kind) {
    case 'login':
      // The password step is done: creating an account or recovering one makes no sense here,
      // but someone without their authenticator app must be able to give up.
      if (flow.requested_aal === 'aal2') return html`<nav class="links" aria-label="Other options"><a href="/logout" data-testid="link/logout">Sign out</a></nav>`;
      return html`<nav class="links" aria-label="Other options">${link('/registration', 'Create an account', 'registration')}${link('/recovery', 'Forgot your password?', 'recovery')}</nav>`;
    case 'registration':
      return html`<nav class="links" aria-label="Other options"><span class="muted">Already have an account?</span>${link('/login', 'Sign in', 'login')}</nav>`;
    case 'recovery':
      return html`<nav class="links" aria-label="Other options">${link('/login', 'Back to sign in', 'login')}</nav>`;
    case 'verification':
      return html`<nav class="links" aria-label="Other options">${signedIn ? html`<a href="/" data-testid="link/home">Go to your account</a>` : link('/login', 'Back to sign in', 'login')}</nav>`;
    case 'settings':
      return html`<nav class="links" aria-label="Other options">${back ? html`<a href="${back.href}" data-testid="link/back">Back to ${back.app}</a>` : ''}<a href="/" data-testid="link/home">Home</a>${unverified ? link('/verification', 'Verify your email', 'verification') : ''}<a href="/logout" data-testid="link/logout">Sign out</a></nav>`;
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
    const text = to ? html`We sent a new code to <strong>${to}</strong>. Enter the code from the newest email.` : notice.text;
    return renderMessage(notice.type, text, `ui/notice/${code}`);
  }
  return renderMessage(notice.type, notice.text, `ui/notice/${code}`);
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
  const verb = kind === 'login' ? 'Sign in' : 'Create your account';
  return html`<p class="destination" data-testid="flow/client">${verb} to continue to ${renderClientName(client, 'flow/client-name')}</p>
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
  }: {
    hubOrigin: string;
    linkOrigins: readonly string[];
    notice: FlowNoticeCode | undefined;
    links: FlowPageLinks;
    destination: string | undefined;
    /** The app the sign-in is for, from the client registry (see client-of-return-to.ts). */
    client?: ClientDisplay | undefined;
  },
): SafeHtml {
  const facts = flow as FlowFacts;
  const { title, lead } = headingFor(kind, facts);
  const ui = flow.ui as unknown as FlowUi;
  return html`<h1 data-testid="flow/title">${title}</h1>
<p class="lead">${lead}</p>
${renderClientLine(kind, client)}
${destination ? html`<p class="destination" data-testid="flow/destination">Afterwards you will continue to <strong>${destination}</strong>.</p>` : ''}
${renderMessages(ui.messages, renderNotice(notice, { state: facts.state, ui }))}
<div class="flow flow-${kind}" data-testid="flow/${kind}" data-state="${facts.state ?? ''}">
${renderUi(ui, { hubOrigin, linkOrigins, groupHeadings: kind === 'settings' })}
</div>
${renderFlowLinks(kind, links, facts)}`;
}
