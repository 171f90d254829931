import type { CatalogOf } from '../catalog-of.ts';
import type en from '../en/verify.ts';

export default {
} satisfies CatalogOf<typeof en>;
