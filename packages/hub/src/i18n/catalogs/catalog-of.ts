/**
 * The shape of a translation of an English catalog file: every key, nothing else (`satisfies`
 * refuses a missing or an extra key at compile time; catalogs.test.ts checks the arguments).
 */
export type CatalogOf<T> = { readonly [K in keyof T]: string };
