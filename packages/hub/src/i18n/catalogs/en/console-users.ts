/** English messages: the admin console's user pages (ICU MessageFormat). The reference every other catalog is checked against. */
export default {
} as const;
