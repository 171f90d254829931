import type { CatalogOf } from '../catalog-of.ts';
import type en from '../en/methods.ts';

export default {
  // Passkey and security-key buttons (login/webauthn-nodes.ts), shown by the hub's script.
  'methods.webauthn.unsupported': 'Este navegador no puede usar llaves de acceso ni llaves de seguridad. Elija otra forma de continuar.',
  'methods.webauthn.failed': 'No ha funcionado: no se ha usado la llave de acceso ni la llave de seguridad. Inténtelo de nuevo o elija otra forma.',
} satisfies CatalogOf<typeof en>;
