import type { CatalogOf } from '../catalog-of.ts';
import type en from '../en/frame.ts';

export default {
  'frame.title': '{title} · {product}',
  'frame.skip_to_content': 'Saltar al contenido',
  'frame.footer.default': 'Protegido por {product}. Un único inicio de sesión para todas las aplicaciones.',
  'frame.footer.links_label': 'Enlaces del pie de página',
  'frame.language.label': 'Idioma',
  'frame.language.submit': 'Cambiar',
} satisfies CatalogOf<typeof en>;
