import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { currentHubRequest } from '../request/hub-request.ts';
import { addRequestEvent } from './hub-spans.ts';
import { expiredTraceCookie, TRACE_COOKIE, traceCookie } from './trace-cookie.ts';

interface ProviderContext {
  status: number;
  oidc?: { route?: unknown; client?: { clientId?: string } };
  response: { get(field: string): string };
  append(field: string, value: string): void;
  get(field: string): string;
}

/**
 * A Koa middleware ahead of the provider (mount-provider.ts) for traced requests: puts the client
 * the provider served on the request's span, and keeps a browser's sign-in in one trace. When the
 * authorization endpoint (or its resume) sends the browser to a hub page (an interaction), the
 * trace cookie (trace-cookie.ts) names this request's span; when it sends the browser back to the
 * app, the cookie goes. Untraced requests pass straight through.
 */
export function traceProviderSteps({ https }: { https: boolean }) {
  return async (koa: unknown, next: () => Promise<unknown>): Promise<unknown> => {
    const traced = currentHubRequest()?.trace;
    if (!traced) return next();
    try {
      return await next();
    } finally {
      const ctx = koa as ProviderContext;
      const clientId = ctx.oidc?.client?.clientId;
      if (clientId && traced.span.isRecording()) traced.span.setAttribute('ssohub.client_id', clientId);
      const route = ctx.oidc?.route;
      if ((route === 'authorization' || route === 'resume') && ctx.status >= 300 && ctx.status < 400) {
        const location = ctx.response.get('location');
        // A path of the hub (the interaction) or an absolute URL (the app's redirect_uri).
        if (location.startsWith('/') && !location.startsWith('//')) ctx.append('Set-Cookie', traceCookie(traced.span, https));
        else if (ctx.get('cookie').includes(`${TRACE_COOKIE}=`)) ctx.append('Set-Cookie', expiredTraceCookie(https));
      }
    }
  };
}

/**
 * The provider's steps as events on the traced request's span: what it decided, for which
 * client, and the OAuth error code of a refusal; never a token, code or session id. Outside a
 * traced request each costs one lookup.
 */
export function traceProviderEvents(provider: Provider): void {
  // The provider's typings give each event its own listener type; all of these start with the context.
  const on = provider.on.bind(provider) as unknown as (event: string, listener: (ctx?: KoaContextWithOIDC, arg?: unknown) => void) => void;
  for (const event of TRACED_EVENTS) {
    on(event, (ctx, arg) => {
      const error = (arg as { error?: unknown } | undefined)?.error;
      addRequestEvent(`oidc.${event}`, {
        ...(ctx?.oidc?.client?.clientId ? { 'ssohub.client_id': ctx.oidc.client.clientId } : {}),
        ...(event.endsWith('.error') && typeof error === 'string' ? { 'oauth.error': error } : {}),
      });
    });
  }
}

/**
 * The provider events worth seeing in a trace: an authorization's way through interactions,
 * tokens issued or refused, logouts. (Saved and consumed artefacts would add an event per store
 * write, which the store's own child spans already show.)
 */
const TRACED_EVENTS = [
  'interaction.started',
  'interaction.ended',
  'authorization.accepted',
  'authorization.success',
  'authorization.error',
  'grant.success',
  'grant.error',
  'grant.revoked',
  'end_session.success',
  'end_session.error',
  'userinfo.error',
  'introspection.error',
  'revocation.error',
] as const;
