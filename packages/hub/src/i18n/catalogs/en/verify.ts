/** English messages: verify (ICU MessageFormat). The reference every other catalog is checked against. */
export default {
  // The verified-address policy sent the user here from an app's sign-in (bridge/interactions,
  // decision 0016): the notice on the verification page, and its way out.
  'verify.notice.required':
    'Please confirm your email address before you continue: enter it below and we will send you a code. The app you are signing in to needs a verified address.',
  'verify.links.cancel_sign_in': 'Cancel and go back to the app',
} as const satisfies Record<string, string>;
