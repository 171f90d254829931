import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { renderClientLogo } from './render-client.ts';
import { allowClientImage, contentSecurityPolicy, registerSecurityHeaders } from './security-headers.ts';

const imgSrc = (csp: string | undefined) => csp?.split('; ').find((d) => d.startsWith('img-src'));

describe('a client app’s logo in the CSP', () => {
  async function hub() {
    const app = Fastify();
    registerSecurityHeaders(app, { https: true, imgOrigin: 'https://cdn.brand.example' });
    app.get('/with-logo', async (request, reply) => {
      const src = allowClientImage(reply, (request.query as { logo?: string }).logo);
      return reply.type('text/html').send(renderClientLogo(src, 'logo').toString());
    });
    app.get('/plain', async () => 'ok');
    await app.ready();
    return app;
  }

  it('adds the logo’s origin to that answer only, next to the branding logo’s', async () => {
    const app = await hub();
    const shown = await app.inject('/with-logo?logo=https://shop-b.example:8443/brand/logo.svg');
    expect(imgSrc(shown.headers['content-security-policy'] as string)).toBe("img-src 'self' data: https://cdn.brand.example https://shop-b.example:8443");
    expect(shown.body).toBe('<img class="client-logo" src="https://shop-b.example:8443/brand/logo.svg" alt="" width="40" height="40" data-testid="logo">');
    const other = await app.inject('/plain');
    expect(imgSrc(other.headers['content-security-policy'] as string)).toBe("img-src 'self' data: https://cdn.brand.example");
  });

  it.each([
    ['http://shop-b.example/logo.png'],
    ['https://user:pw@shop-b.example/logo.png'],
    ['javascript:alert(1)'],
    ['data:image/svg+xml,<svg/>'],
    ['not a url'],
  ])('refuses %s: no image, the CSP unchanged', async (logo) => {
    const app = await hub();
    const res = await app.inject(`/with-logo?logo=${encodeURIComponent(logo)}`);
    expect(res.body).toBe('');
    expect(imgSrc(res.headers['content-security-policy'] as string)).toBe("img-src 'self' data: https://cdn.brand.example");
  });

  it('lists each origin once', () => {
    expect(imgSrc(contentSecurityPolicy({ imgOrigin: 'https://a.example', clientImgOrigins: ['https://a.example', 'https://b.example', 'https://b.example'] }))).toBe(
      "img-src 'self' data: https://a.example https://b.example",
    );
  });
});
