import type { CatalogOf } from '../catalog-of.ts';
import type en from '../en/password.ts';

export default {
} satisfies CatalogOf<typeof en>;
