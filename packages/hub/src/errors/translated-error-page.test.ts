import type { FastifyReply, FastifyRequest } from 'fastify';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { checkConfig } from '../config/check-config.ts';
import { createGuard } from '../guard/create-guard.ts';
import { createMemoryGuardStore } from '../guard/memory-guard-store.ts';
import { text } from '../i18n/translate.ts';
import { createHubMetrics } from '../metrics/hub-metrics.ts';
import type { KratosAnswer, Submission } from '../proxy/submission-guard.ts';
import { HubRequest, runHubRequest } from '../request/hub-request.ts';
import { presentError } from './present-error.ts';
import { errorBody } from './register-error-handler.ts';
import { SsoHubError } from './ssohub-error.ts';

// Error pages in the user's language: the page shows the catalog's text, while JSON and OAuth
// bodies (and the log) keep the English message callers and operators match on.

const inGerman = <T>(fn: () => T): T => runHubRequest(fn, new HubRequest('req-de', { pickerCookie: 'de' }));

const page = (err: unknown) => {
  const shown = presentError(err, 'req-de');
  return { shown, html: String(errorBody(shown, 'req-de', 'page').payload), json: errorBody(shown, 'req-de', 'json').payload };
};

describe('error pages in the request’s language', () => {
  it('shows a German 404 with its title, message, action and reference, and keeps JSON English', () => {
    const { html, json, shown } = inGerman(() => page(new SsoHubError('SSOHUB_ERR_NOT_FOUND', text('errors.not_found'), { status: 404 })));
    expect(html).toContain('<html lang="de" dir="ltr">');
    expect(html).toContain('<title>Nicht gefunden · SSO Hub</title>');
    expect(html).toContain('<h1 data-testid="error/title">Nicht gefunden</h1>');
    expect(html).toContain('data-code="SSOHUB_ERR_NOT_FOUND">Unter dieser Adresse gibt es keine Seite.</p>');
    expect(html).toContain('<a class="button-link" href="/login">Zur Anmeldung</a>');
    expect(html).toContain('Referenz: <span data-testid="error/reference">req-de</span>');
    expect(html).toContain('Geschützt durch SSO Hub. Eine Anmeldung für alle Apps.');
    expect(shown.message).toBe('There is no page at this address.');
    expect(json).toMatchObject({ error: { message: 'There is no page at this address.' } });
  });

  it('shows the lockout in German with the wait in minutes, and English to API callers', async () => {
    const err = await lockedOut();
    const { html, shown, json } = inGerman(() => page(err));
    expect(shown.message).toBe('Too many attempts. For your security, please wait 2 minutes and try again.');
    expect(json).toMatchObject({ error: { code: 'SSOHUB_ERR_THROTTLED', message: 'Too many attempts. For your security, please wait 2 minutes and try again.' } });
    expect(html).toContain('<h1 data-testid="error/title">Zu viele Versuche</h1>');
    expect(html).toContain('Zu viele Versuche. Bitte warten Sie zu Ihrer Sicherheit 2 Minuten und versuchen Sie es dann erneut.');
  });

  it('words the throttle’s wait with ICU plurals in every language', () => {
    const two = (locale: string) =>
      runHubRequest(() => page(new SsoHubError('SSOHUB_ERR_THROTTLED', text('errors.throttled', { unit: 'minute', count: 2 }), { status: 429 })).html, new HubRequest('r', { pickerCookie: locale }));
    const one = runHubRequest(() => page(new SsoHubError('SSOHUB_ERR_THROTTLED', text('errors.throttled', { unit: 'minute', count: 1 }), { status: 429 })), new HubRequest('r', { pickerCookie: 'de' }));
    expect(two('de')).toContain('warten Sie zu Ihrer Sicherheit 2 Minuten und');
    expect(one.html).toContain('warten Sie zu Ihrer Sicherheit 1 Minute und');
    expect(one.shown.message).toBe('Too many attempts. For your security, please wait 1 minute and try again.');
    expect(two('fr')).toContain('veuillez patienter 2 minutes avant de réessayer');
    expect(two('es')).toContain('espere 2 minutos y vuelva a intentarlo');
    expect(two('en')).toContain('please wait 2 minutes and try again');
  });

  it('translates the generic messages and keeps the reference in them', () => {
    const { html, shown } = inGerman(() => page(new Error('boom')));
    expect(shown.message).toBe('An unexpected error occurred. If it persists, contact support and quote reference req-de.');
    expect(html).toContain('<h1 data-testid="error/title">Etwas ist schiefgelaufen</h1>');
    expect(html).toContain('nennen Sie die Referenz req-de.');
    const tooLarge = inGerman(() => page(Object.assign(new Error('too large'), { statusCode: 413 })));
    expect(tooLarge.html).toContain('Der Inhalt der Anfrage ist zu groß.');
    expect(tooLarge.shown.message).toBe('The request body is too large.');
  });

  it('shows an error thrown with a plain English message as it is', () => {
    const { html } = inGerman(() => page(new SsoHubError('SSOHUB_ERR_CONFLICT', 'Plain English.', { status: 409 })));
    expect(html).toContain('<h1 data-testid="error/title">Konflikt</h1>');
    expect(html).toContain('>Plain English.</p>');
  });
});

/** A sign-in refused by the guard's lockout (two failures, locked for two minutes). */
async function lockedOut(): Promise<unknown> {
  const config = checkConfig({ publicUrl: 'http://login.localhost:4000', guard: { lockout: { threshold: 2, durationMs: 120_000, maxDurationMs: 120_000 } } });
  const guard = createGuard({
    config,
    log: pino({ level: 'silent' }),
    storage: { kind: 'memory', description: 'memory', close: async () => {} },
    audit: { record: () => {}, tail: async () => [] },
    metrics: createHubMetrics(),
    store: createMemoryGuardStore(),
  });
  const failed: KratosAnswer = { status: 303, setSession: false, location: undefined };
  const signIn = async () => {
    const s: Submission = { kind: 'login', flowId: 'f1', ip: '192.0.2.1', fields: { method: 'password', identifier: 'ada@x.test', password: 'x' } };
    await guard.before(s, {} as FastifyRequest);
    await guard.after(s, failed, {} as FastifyRequest, {} as FastifyReply);
  };
  await signIn();
  await signIn();
  return signIn().then(
    () => undefined,
    (e: unknown) => e,
  );
}
