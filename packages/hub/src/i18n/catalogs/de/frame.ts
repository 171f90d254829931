import type { CatalogOf } from '../catalog-of.ts';
import type en from '../en/frame.ts';

export default {
  'frame.title': '{title} · {product}',
  'frame.skip_to_content': 'Zum Inhalt springen',
  'frame.footer.default': 'Geschützt durch {product}. Eine Anmeldung für alle Apps.',
  'frame.footer.links_label': 'Links in der Fußzeile',
  'frame.language.label': 'Sprache',
  'frame.language.submit': 'Ändern',
} satisfies CatalogOf<typeof en>;
