import type { CatalogOf } from '../catalog-of.ts';
import type en from '../en/proxy.ts';
export default {
  'proxy.bad_address': 'Diese Adresse ist auf der Anmeldedomain nicht gültig.',
  'proxy.api_flow_refused':
    'API-Flows von Kratos sind auf der Anmeldedomain nicht verfügbar. Browser verwenden Browser-Flows (/self-service/<flow>/browser); Apps melden sich über OpenID Connect an.',
  'proxy.body_not_json': 'Der Inhalt der Anfrage ist kein gültiges JSON.',
} satisfies CatalogOf<typeof en>;
