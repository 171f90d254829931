import type { CatalogOf } from '../catalog-of.ts';
import type en from '../en/proxy.ts';
export default {
  'proxy.bad_address': 'Esta dirección no es válida en el dominio de inicio de sesión.',
  'proxy.api_flow_refused':
    'Los flujos de API de Kratos no están disponibles en el dominio de inicio de sesión. Los navegadores usan los flujos para navegador (/self-service/<flow>/browser); las aplicaciones inician sesión mediante OpenID Connect.',
  'proxy.body_not_json': 'El cuerpo de la solicitud no es un JSON válido.',
} satisfies CatalogOf<typeof en>;
