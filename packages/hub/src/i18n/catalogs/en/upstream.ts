/** English messages: upstream (ICU MessageFormat). The reference every other catalog is checked against. */
export default {
} as const satisfies Record<string, string>;
