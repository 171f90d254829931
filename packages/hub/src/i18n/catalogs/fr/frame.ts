import type { CatalogOf } from '../catalog-of.ts';
import type en from '../en/frame.ts';

export default {
  'frame.title': '{title} · {product}',
  'frame.skip_to_content': 'Aller au contenu',
  'frame.footer.default': 'Protégé par {product}. Une seule connexion pour toutes les applications.',
  'frame.footer.links_label': 'Liens de pied de page',
  'frame.language.label': 'Langue',
  'frame.language.submit': 'Changer',
} satisfies CatalogOf<typeof en>;
