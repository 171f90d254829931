import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type Hub } from '../app.ts';
import { checkConfig } from '../config/check-config.ts';
import { createLogger } from '../http/create-logger.ts';

// /error?id= in front of a stand-in Kratos that stores the errors Kratos v1.3.1 sends browsers
// there: the sign-in of a disabled identity (session.ErrIdentityDisabled, no error id) and one
// Kratos names by id.
const ERRORS: Record<string, unknown> = {
  disabled: {
    id: 'disabled',
    error: { code: 401, status: 'Unauthorized', reason: 'This account was disabled.', message: 'identity is disabled', details: { identity_id: '5f0b6f3c-1111-4222-8333-944445555666' } },
  },
  other401: { id: 'other401', error: { code: 401, status: 'Unauthorized', reason: 'Something else.', message: 'the request could not be authorized' } },
  inactive: { id: 'inactive', error: { id: 'session_inactive', code: 401, message: 'no active session' } },
};

describe('the flow error page', () => {
  let kratos: Server;
  let hub: Hub;

  beforeAll(async () => {
    kratos = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://kratos');
      const stored = url.pathname === '/self-service/errors' ? ERRORS[url.searchParams.get('id') ?? ''] : undefined;
      res.writeHead(stored ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(stored ?? { error: { code: 404 } }));
    });
    await new Promise<void>((r) => kratos.listen(0, '127.0.0.1', () => r()));
    const kratosUrl = `http://127.0.0.1:${(kratos.address() as AddressInfo).port}`;
    const config = checkConfig({
      mode: 'development',
      publicUrl: 'http://login.localhost:4000',
      store: { kind: 'memory' },
      kratos: { publicUrl: kratosUrl, adminUrl: kratosUrl },
      bridge: { cookieKeys: ['test-cookie-key-0123456789abcdefghijklmnop'] },
    });
    hub = await buildApp(config, { log: createLogger('silent') });
    await hub.app.ready();
  });
  afterAll(async () => {
    await hub?.close();
    await new Promise((r) => kratos.close(r));
  });

  const page = (id: string, language = 'en') => hub.app.inject({ method: 'GET', url: `/error?id=${id}`, headers: { accept: 'text/html', 'accept-language': language } });

  it('says the account is disabled when Kratos refused the session of an inactive identity, in every page language', async () => {
    const expected: Record<string, string> = {
      en: 'This account is disabled. Contact your administrator.',
      de: 'Dieses Konto ist deaktiviert. Wenden Sie sich an Ihren Administrator.',
      fr: 'Ce compte est désactivé. Contactez votre administrateur.',
      es: 'Esta cuenta está desactivada. Póngase en contacto con su administrador.',
    };
    for (const [language, message] of Object.entries(expected)) {
      const res = await page('disabled', language);
      expect(res.statusCode).toBe(403);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toContain(message);
      // Kratos' details (the identity id) never reach the page.
      expect(res.body).not.toContain('5f0b6f3c');
    }
  });

  it('keeps its general wording for another 401 without an error id, and its own for a known id', async () => {
    const other = await page('other401');
    expect(other.statusCode).toBe(401);
    expect(other.body).not.toContain('disabled');
    expect(other.body).toContain('That request could not be completed.');
    const inactive = await page('inactive');
    expect(inactive.body).toContain('Your session has ended. Please sign in again.');
  });
});
