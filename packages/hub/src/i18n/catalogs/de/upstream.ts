import type { CatalogOf } from '../catalog-of.ts';
import type en from '../en/upstream.ts';

export default {
  'upstream.or': 'oder weiter mit',
  'upstream.continue_with': 'Weiter mit {provider}',
  'upstream.settings.lead': 'Melden Sie sich mit einem Konto an, das Sie bei Ihrer Organisation bereits haben. Beim Trennen bleiben dieses Konto und seine anderen Anmeldemethoden erhalten.',
  'upstream.settings.linked': '{count, plural, one {# Konto verbunden.} other {# Konten verbunden.}}',
} satisfies CatalogOf<typeof en>;
