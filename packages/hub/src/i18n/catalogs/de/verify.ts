import type { CatalogOf } from '../catalog-of.ts';
import type en from '../en/verify.ts';

export default {
  'verify.notice.required':
    'Bitte bestätigen Sie Ihre E-Mail-Adresse, bevor Sie fortfahren: Geben Sie sie unten ein, und wir senden Ihnen einen Code. Die App, bei der Sie sich anmelden, benötigt eine bestätigte Adresse.',
  'verify.links.cancel_sign_in': 'Abbrechen und zur App zurückkehren',
} satisfies CatalogOf<typeof en>;
