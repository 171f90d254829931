import type { CatalogOf } from '../catalog-of.ts';
import type en from '../en/methods.ts';

export default {
  // Passkey and security-key buttons (login/webauthn-nodes.ts), shown by the hub's script.
  'methods.webauthn.unsupported': 'Ce navigateur ne peut pas utiliser de clés d’accès ni de clés de sécurité. Choisissez un autre moyen de continuer.',
  'methods.webauthn.failed': 'Cela n’a pas fonctionné\u00a0: la clé d’accès ou la clé de sécurité n’a pas été utilisée. Réessayez ou choisissez un autre moyen.',
} satisfies CatalogOf<typeof en>;
