import type { CatalogOf } from '../catalog-of.ts';
import type en from '../en/verify.ts';

export default {
  'verify.notice.required':
    'Veuillez confirmer votre adresse e-mail avant de continuer : saisissez-la ci-dessous et nous vous enverrons un code. L’application à laquelle vous vous connectez demande une adresse vérifiée.',
  'verify.links.cancel_sign_in': 'Annuler et revenir à l’application',
} satisfies CatalogOf<typeof en>;
