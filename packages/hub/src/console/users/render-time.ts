import { html, type SafeHtml } from '../../http/html.ts';
import { currentLocale } from '../../i18n/translate.ts';

/**
 * A moment as the console shows it: in the page's language, in UTC (admins of one hub compare
 * times with its logs and the audit trail, which are UTC), inside a <time> that keeps the ISO form.
 * An absent or unreadable time is a dash.
 */
export function renderTime(iso: string | undefined): SafeHtml {
  const ms = iso === undefined ? Number.NaN : Date.parse(iso);
  if (Number.isNaN(ms)) return html`—`;
  const shown = new Intl.DateTimeFormat(currentLocale(), { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', second: '2-digit', timeZone: 'UTC', timeZoneName: 'short' }).format(ms);
  return html`<time datetime="${new Date(ms).toISOString()}">${shown}</time>`;
}
