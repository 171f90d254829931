import type { ClientProblem } from '../../clients/check-client-metadata.ts';
import type { Locale } from '../../i18n/locales.ts';
import { type MessageKey, t } from '../../i18n/translate.ts';

/**
 * The checker's problems (clients/check-client-metadata.ts) in the page's language. The admin
 * API and the CLI print the checker's English; the console words the same problems from its
 * catalogs (console.clients.problem.<key>), field first as they do. Field names and values are
 * protocol names, the same in every language: only the wording around them is translated.
 */

/** The catalog key of a problem's wording; the type proves each checker key has one. */
export function clientProblemMessageKey(problem: Pick<ClientProblem, 'key'>): MessageKey {
  const key: `console.clients.problem.${ClientProblem['key']}` & MessageKey = `console.clients.problem.${problem.key}`;
  return key;
}

/** One problem, field first: `redirect_uris[0] darf kein Fragment (#...) enthalten (erhalten: "…")`. */
export function clientProblemText(problem: ClientProblem, locale?: Locale): string {
  const values: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(problem.params)) {
    values[name] = typeof value === 'number' || typeof value === 'string' ? value : (value as readonly string[]).join(', ');
  }
  // Only not_object names no field; the English says `client` there, and so does this.
  return `${problem.field || 'client'} ${t(clientProblemMessageKey(problem), values, locale)}`;
}
