import type { CatalogOf } from '../catalog-of.ts';
import type en from '../en/methods.ts';

export default {
  // Passkey and security-key buttons (login/webauthn-nodes.ts), shown by the hub's script.
  'methods.webauthn.unsupported': 'Dieser Browser kann keine Passkeys oder Sicherheitsschlüssel verwenden. Wählen Sie einen anderen Weg.',
  'methods.webauthn.failed': 'Das hat nicht geklappt: Der Passkey oder Sicherheitsschlüssel wurde nicht verwendet. Versuchen Sie es erneut oder wählen Sie einen anderen Weg.',
} satisfies CatalogOf<typeof en>;
