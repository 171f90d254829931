/**
 * Text to show later, in the language of whoever sees it: an error thrown with one keeps its
 * English `message` for logs and API callers, and its page shows `key` translated. A module of
 * its own, importing only types, so the error class (imported by nearly everything) does not
 * import the translator and through it the request scope.
 */
export interface LocalizableText {
  /** A key of the catalogs (i18n/catalogs), checked where the text is made, by translate.ts' text(). */
  readonly key: string;
  readonly values?: Readonly<Record<string, unknown>> | undefined;
  /** The English text, for logs and API responses. */
  readonly english: string;
}
