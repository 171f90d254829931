import type { CatalogOf } from '../catalog-of.ts';
import type en from '../en/console-users.ts';

export default {
} satisfies CatalogOf<typeof en>;
