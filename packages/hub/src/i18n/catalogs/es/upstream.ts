import type { CatalogOf } from '../catalog-of.ts';
import type en from '../en/upstream.ts';

export default {
  'upstream.or': 'o continuar con',
  'upstream.continue_with': 'Continuar con {provider}',
  'upstream.settings.lead': 'Inicie sesión con una cuenta que ya tiene en su organización. Al desconectarla se conservan esta cuenta y sus otros métodos de inicio de sesión.',
  'upstream.settings.linked': '{count, plural, one {# cuenta conectada.} other {# cuentas conectadas.}}',
} satisfies CatalogOf<typeof en>;
