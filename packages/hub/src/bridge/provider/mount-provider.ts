import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';

/**
 * Mounts the provider under `path` as Fastify routes rather than middie middleware, so Fastify
 * hooks (throttling on /oidc/token, request ids, logging) apply to provider endpoints too. Bodies
 * are left unread for the provider's own parser; the reply is hijacked and handed to Koa with the
 * prefix stripped from the URL (oidc-provider derives its mount path from `originalUrl`).
 */
export async function mountProvider(app: FastifyInstance, provider: Provider, path: string, { https }: { https: boolean }): Promise<void> {
  const callback = provider.callback();
  await app.register(
    async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
      const handler = (request: FastifyRequest, reply: FastifyReply) => {
        reply.hijack();
        const raw = request.raw as IncomingMessage & { originalUrl?: string };
        const url = raw.url ?? '/';
        raw.originalUrl = url;
        const rest = url.slice(path.length);
        raw.url = rest.startsWith('/') ? rest : `/${rest}`;
        // Hijacked replies skip Fastify's onSend hooks, so the login domain's headers are set here.
        const res = reply.raw;
        res.setHeader('x-content-type-options', 'nosniff');
        res.setHeader('x-frame-options', 'DENY');
        res.setHeader('referrer-policy', 'strict-origin-when-cross-origin');
        // script-src lets oidc-provider add the hash of its one inline auto-submit script.
        res.setHeader('content-security-policy', "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; base-uri 'none'; frame-ancestors 'none'");
        if (https) res.setHeader('strict-transport-security', 'max-age=31536000; includeSubDomains');
        void callback(raw, res);
      };
      scope.all('/', handler);
      scope.all('/*', handler);
    },
    { prefix: path },
  );
}
