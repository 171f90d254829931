/** English messages: upstream (ICU MessageFormat). The reference every other catalog is checked against. */
export default {
  'upstream.or': 'or continue with',
  'upstream.continue_with': 'Continue with {provider}',
  'upstream.settings.lead': 'Sign in with an account you already have at your organisation. Disconnecting keeps this account and its other sign-in methods.',
  'upstream.settings.linked': '{count, plural, one {# account connected.} other {# accounts connected.}}',
} as const satisfies Record<string, string>;
