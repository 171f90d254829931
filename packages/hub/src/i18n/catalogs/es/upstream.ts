import type { CatalogOf } from '../catalog-of.ts';
import type en from '../en/upstream.ts';

export default {
} satisfies CatalogOf<typeof en>;
