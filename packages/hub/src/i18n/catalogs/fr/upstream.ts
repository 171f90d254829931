import type { CatalogOf } from '../catalog-of.ts';
import type en from '../en/upstream.ts';

export default {
  'upstream.or': 'ou continuer avec',
  'upstream.continue_with': 'Continuer avec {provider}',
  'upstream.settings.lead': 'Connectez-vous avec un compte que vous avez déjà dans votre organisation. La déconnexion conserve ce compte et ses autres méthodes de connexion.',
  'upstream.settings.linked': '{count, plural, one {# compte connecté.} other {# comptes connectés.}}',
} satisfies CatalogOf<typeof en>;
