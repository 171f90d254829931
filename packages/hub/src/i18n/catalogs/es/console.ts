import type { CatalogOf } from '../catalog-of.ts';
import type en from '../en/console.ts';

export default {
} satisfies CatalogOf<typeof en>;
