import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { currentHubRequest, type HubRequest } from '../request/hub-request.ts';

/**
 * Security headers for every answer of the login domain. Pages need no script (but passkey pages
 * run the hub's own, see allowPageScript); styles come from
 * the hub's own stylesheet. form-action is left open because a form on the login domain (login,
 * consent, logout) legitimately ends in a redirect to a client app's registered callback.
 */
export function contentSecurityPolicy({
  imgOrigin,
  clientImgOrigins = [],
  scriptNonce,
}: { imgOrigin?: string | undefined; clientImgOrigins?: readonly string[]; scriptNonce?: string | undefined } = {}): string {
  // A logo given as a URL (branding.logo) adds its origin, and only that; a page that shows a
  // client app's logo (logo_uri) adds that logo's origin for that answer only (allowClientImage).
  const origins = [...new Set([imgOrigin, ...clientImgOrigins].filter((o): o is string => Boolean(o)))];
  return [
    "default-src 'none'",
    "style-src 'self'",
    `img-src 'self' data:${origins.map((o) => ` ${o}`).join('')}`,
    // Only a page that shows passkey or security-key buttons runs a script: the hub's own, named
    // by this answer's nonce (allowPageScript). No 'self': no other file of the origin may run.
    ...(scriptNonce ? [`script-src 'nonce-${scriptNonce}'`] : []),
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

/**
 * The headers every answer of the login domain carries, CSP included (a route may set its own
 * CSP; the hook keeps it). Also written by the answers Node's parser triggers before any route
 * exists (http/client-errors.ts).
 */
export function securityHeaders({ https, imgOrigin }: { https: boolean; imgOrigin?: string | undefined }): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy({ imgOrigin }),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'cross-origin-opener-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    ...(https ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}

const clientImages = new WeakMap<FastifyReply, string[]>();

/**
 * Lets this answer's page show an image from a client app's registered https logo_uri: its
 * origin joins the answer's img-src. Anything but an absolute https URL without credentials is
 * ignored (and the page must not show it). Returns the URL to put in the page, or undefined.
 */
export function allowClientImage(reply: FastifyReply, uri: string | undefined): string | undefined {
  const url = clientImageUrl(uri);
  if (!url) return undefined;
  clientImages.set(reply, [...(clientImages.get(reply) ?? []), url.origin]);
  return url.href;
}

/**
 * A client app's image address the pages may show: an absolute https URL without credentials,
 * else undefined. For answers the hub does not send through Fastify (oidc-provider's logout page),
 * which set their CSP with the URL's origin themselves.
 */
export function clientImageUrl(uri: string | undefined): URL | undefined {
  if (!uri) return undefined;
  try {
    const url = new URL(uri);
    return url.protocol === 'https:' && !url.username && !url.password ? url : undefined;
  } catch {
    return undefined;
  }
}

const pageScripts = new WeakMap<HubRequest, string>();

/**
 * Lets the page this request renders load the hub's own scripts: returns the answer's nonce (one
 * per answer, 128 random bits), which joins its script-src; the page puts it on each script tag,
 * together with the script's integrity. Undefined outside a request: no answer to allow it in.
 */
export function allowPageScript(): string | undefined {
  const request = currentHubRequest();
  if (!request) return undefined;
  let nonce = pageScripts.get(request);
  if (!nonce) {
    nonce = randomBytes(16).toString('base64');
    pageScripts.set(request, nonce);
  }
  return nonce;
}

export function registerSecurityHeaders(app: FastifyInstance, { https, imgOrigin }: { https: boolean; imgOrigin?: string | undefined }): void {
  const { 'content-security-policy': csp, ...always } = securityHeaders({ https, imgOrigin });
  app.addHook('onSend', async (_request, reply, payload) => {
    const clientImgOrigins = clientImages.get(reply);
    const hubRequest = currentHubRequest();
    const scriptNonce = hubRequest ? pageScripts.get(hubRequest) : undefined;
    if (!reply.hasHeader('content-security-policy')) {
      reply.header('content-security-policy', clientImgOrigins || scriptNonce ? contentSecurityPolicy({ imgOrigin, clientImgOrigins, scriptNonce }) : csp);
    }
    reply.headers(always);
    return payload;
  });
}

/**
 * registerSecurityHeaders as a plugin of the listener itself (fastify-plugin): its onSend hook
 * must reach every route. A route plugin only gets the hooks its parent had when it was
 * registered, so every route group of the public listener lists this one in its `dependencies`.
 */
export const securityHeadersPlugin = fp(async (app: FastifyInstance, opts: { https: boolean; imgOrigin?: string | undefined }) => registerSecurityHeaders(app, opts), {
  name: 'ssohub-security-headers',
  fastify: '5.x',
});
