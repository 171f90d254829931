import type { CatalogOf } from '../catalog-of.ts';
import type en from '../en/proxy.ts';
export default {
  'proxy.bad_address': 'Cette adresse n’est pas valide sur le domaine de connexion.',
  'proxy.api_flow_refused':
    'Les flux d’API de Kratos ne sont pas disponibles sur le domaine de connexion. Les navigateurs utilisent les flux pour navigateur (/self-service/<flow>/browser) ; les applications se connectent via OpenID Connect.',
  'proxy.body_not_json': 'Le corps de la requête n’est pas du JSON valide.',
} satisfies CatalogOf<typeof en>;
