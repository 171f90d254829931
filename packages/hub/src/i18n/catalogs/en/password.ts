/** English messages: password (ICU MessageFormat). The reference every other catalog is checked against. */
export default {
  // The proxy refused a new password on the shipped list (proxy/refuse-common-password.ts).
  'password.common_refused':
    'This password is on a list of common and leaked passwords that attackers try first, so it is not safe to use. Please choose a different one: a few unrelated words make a strong password that is easy to remember.',
  // Backup codes on the settings page (login/render-lookup-secret.ts).
  'password.backup.intro': 'Backup codes let you finish signing in when you cannot use your authenticator app. Each code works once.',
  'password.backup.replace_hint': 'Lost them, or used most of them? Create new ones: your current codes then stop working.',
  'password.backup.shown_once': 'Save these codes now, for example in a password manager or on paper: they are shown only this once.',
  'password.backup.list_label': 'Your backup codes',
} as const satisfies Record<string, string>;
