import type { ClientContext } from '../client-context.ts';
import { rank } from '../sign-in/complete-sign-in.ts';
import type { SessionRecord } from '../session/session-record.ts';

/**
 * SsoRouteRequirement is what a route asks of the session.
 *
 * @example
 * ```ts
 * app.get('/billing', { config: { sso: { required: true, acr: 'aal2' } } }, handler);
 * ```
 */
export interface SsoRouteRequirement {
  /** The route needs a signed-in session: browsers are sent to sign-in, API calls get 401. */
  required?: boolean;
  /** The session must be at least this level (e.g. `aal2`), else the user signs in again asking for it. */
  acr?: string;
}

/** AccessDecision tells an adapter what to do with a request. */
export type AccessDecision = { allow: true } | { allow: false; reason: 'session_required' } | { allow: false; reason: 'step_up'; acr: string };

/** checkAccess decides a request against a route requirement; no I/O. */
export function checkAccess(ctx: ClientContext, session: SessionRecord | undefined | null, requirement: SsoRouteRequirement | undefined): AccessDecision {
  if (!requirement || (!requirement.required && !requirement.acr)) return { allow: true };
  if (!session) return { allow: false, reason: 'session_required' };
  if (requirement.acr && rank(ctx, session.claims.acr) < rank(ctx, requirement.acr)) return { allow: false, reason: 'step_up', acr: requirement.acr };
  return { allow: true };
}

/**
 * wantsHtml says whether a request comes from a browser page (redirect to sign-in) rather than
 * an API call (401 JSON): only a GET/HEAD whose Accept names text/html.
 */
export function wantsHtml(method: string, accept: string | undefined): boolean {
  return (method === 'GET' || method === 'HEAD') && typeof accept === 'string' && accept.includes('text/html');
}
