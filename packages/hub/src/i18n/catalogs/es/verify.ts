import type { CatalogOf } from '../catalog-of.ts';
import type en from '../en/verify.ts';

export default {
  'verify.notice.required':
    'Confirme su dirección de correo electrónico antes de continuar: introdúzcala abajo y le enviaremos un código. La aplicación en la que está iniciando sesión necesita una dirección verificada.',
  'verify.links.cancel_sign_in': 'Cancelar y volver a la aplicación',
} satisfies CatalogOf<typeof en>;
