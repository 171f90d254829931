/** English messages: the admin console (ICU MessageFormat). The reference every other catalog is checked against. */
export default {
} as const;
