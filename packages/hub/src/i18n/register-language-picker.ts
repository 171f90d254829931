import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { type Static, Type } from 'typebox';
import { SsoHubError } from '../errors/ssohub-error.ts';
import { LANGUAGE_PATH, recordPagePath } from '../http/render-page.ts';
import { isLocale, LOCALE_NAMES, LOCALES } from './locales.ts';
import { LANGUAGE_COOKIE, UI_LOCALES_COOKIE } from './negotiate-locale.ts';
import { text } from './translate.ts';

/** A year: a person's language rarely changes. */
const LANGUAGE_COOKIE_MAX_AGE_S = 365 * 24 * 60 * 60;

/**
 * The picker's query. `lang` is checked against the shipped languages by the handler (its error
 * page lists them); `next` is any text, judged by sameOriginPath. Both bounded: a query is not a
 * place for payloads.
 */
export const LanguageQuery = Type.Object(
  {
    lang: Type.String({ minLength: 1, maxLength: 35 }),
    next: Type.Optional(Type.String({ maxLength: 2048 })),
  },
  { additionalProperties: false },
);
type LanguageQuery = Static<typeof LanguageQuery>;

/**
 * Whether `next` is a path on this origin: one leading "/", not "//" or "/\" (which browsers read
 * as another host), and no control characters (which URL parsers strip, turning "/\t/evil" into
 * "//evil"). Anything else is an open redirect waiting to happen: the picker goes to "/" instead.
 */
export function sameOriginPath(next: string | undefined): next is string {
  if (typeof next !== 'string' || !next.startsWith('/')) return false;
  if (next.startsWith('//') || next.startsWith('/\\')) return false;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point.
  return !/[\u0000-\u001f\u007f\\]/.test(next);
}

/**
 * The language picker's route (issue 20): `GET /language?lang=de&next=/login?flow=…`, what the
 * footer's form sends (render-page.ts), no JavaScript needed. It remembers the choice for a year
 * (LANGUAGE_COOKIE) and clears the cookie carrying an app's `ui_locales`: for the rest of the
 * sign-in, the user's explicit choice beats the app's (negotiate-locale.ts reads that cookie
 * first). Then it goes back to the page, if `next` is one on this origin.
 *
 * Its onRequest hook records each page's address for the form's `next` (recordPagePath): a
 * plugin of the listener itself (fastify-plugin), so register it before the route plugins whose
 * pages show the picker.
 */
export function registerLanguagePicker(app: FastifyInstance, { https }: { https: boolean }): void {
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.method === 'GET') recordPagePath(request.url);
    done();
  });
  app.get<{ Querystring: LanguageQuery }>(LANGUAGE_PATH, { schema: { querystring: LanguageQuery } }, async (request, reply) => {
    const { lang, next } = request.query;
    if (!isLocale(lang)) {
      throw new SsoHubError('SSOHUB_ERR_BAD_REQUEST', text('errors.unknown_language', { languages: LOCALES.map((l) => LOCALE_NAMES[l]).join(', ') }), {
        status: 400,
        detail: { lang: lang.slice(0, 35) },
      });
    }
    const options = { path: '/', httpOnly: true, sameSite: 'lax', secure: https } as const;
    reply.setCookie(LANGUAGE_COOKIE, lang, { ...options, maxAge: LANGUAGE_COOKIE_MAX_AGE_S });
    reply.clearCookie(UI_LOCALES_COOKIE, options);
    return reply
      .header('cache-control', 'no-store')
      .redirect(sameOriginPath(next) ? next : '/', 303);
  });
}

export const languagePickerPlugin = fp(async (app: FastifyInstance, opts: { https: boolean }) => registerLanguagePicker(app, opts), {
  name: 'ssohub-language-picker',
  fastify: '5.x',
  dependencies: ['ssohub-hub-request', 'ssohub-error-handler', 'ssohub-security-headers', '@fastify/cookie'],
});
