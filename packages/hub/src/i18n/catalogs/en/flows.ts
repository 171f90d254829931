/** English messages: flows (ICU MessageFormat). The reference every other catalog is checked against. */
export default {
  // Flow pages: title and lead sentence, by flow and state (login/render-flow-page.ts).
  'flows.login.title': 'Sign in',
  'flows.login.lead': 'One account for every app connected to this service.',
  'flows.login.sent.title': 'Check your email',
  'flows.login.sent.lead': 'Enter the code we just sent you to sign in.',
  'flows.login.aal2.title': 'Two-step verification',
  'flows.login.aal2.lead': 'Confirm your sign-in with your second factor.',
  'flows.login.refresh.title': 'Confirm it is you',
  'flows.login.refresh.lead': 'Sign in again to continue.',
  'flows.registration.title': 'Create your account',
  'flows.registration.lead': 'One account for every app connected to this service.',
  'flows.registration.sent.title': 'Check your email',
  'flows.registration.sent.lead': 'Enter the code we just sent you to finish creating your account.',
  'flows.recovery.title': 'Recover your account',
  'flows.recovery.lead': 'Enter the email address of your account and we will send you a code to get back in.',
  'flows.recovery.sent.title': 'Check your email',
  'flows.recovery.sent.lead': 'Enter the recovery code we sent you.',
  'flows.verification.title': 'Verify your email address',
  'flows.verification.lead': 'We will send a code to confirm the address belongs to you.',
  'flows.verification.sent.title': 'Check your email',
  'flows.verification.sent.lead': 'Enter the verification code we sent you.',
  'flows.verification.passed.title': 'Email verified',
  'flows.verification.passed.lead': 'Your email address is confirmed.',
  'flows.settings.title': 'Your account',
  'flows.settings.lead': 'Change your profile and how you sign in.',
  // {host}: the host name of the app the user goes on to, in bold.
  'flows.page.destination': 'Afterwards you will continue to {host}.',

  // The links under a flow.
  'flows.links.label': 'Other options',
  'flows.links.sign_out': 'Sign out',
  'flows.links.create_account': 'Create an account',
  'flows.links.forgot_password': 'Forgot your password?',
  'flows.links.have_account': 'Already have an account?',
  'flows.links.sign_in': 'Sign in',
  'flows.links.back_to_sign_in': 'Back to sign in',
  'flows.links.go_to_account': 'Go to your account',
  // {app}: the name of the app the user came from.
  'flows.links.back_to_app': 'Back to {app}',
  'flows.links.home': 'Home',
  'flows.links.verify_email': 'Verify your email',

  // The app a sign-in is for (issue #20). {app}: its name, a link to its site.
  'flows.client.login': 'Sign in to continue to {app}',
  'flows.client.registration': 'Create your account to continue to {app}',
  'flows.client.policy_link': 'privacy policy',
  'flows.client.tos_link': 'terms of service',
  // {policy} and {tos}: the two links above.
  'flows.client.policies.both': "{app}'s {policy} and {tos}",
  'flows.client.policies.policy': "{app}'s {policy}",
  'flows.client.policies.tos': "{app}'s {tos}",

  // Notices: why the hub restarted a flow, or what just happened (login/flow-notice.ts).
  'flows.notice.flow_expired': 'That form had expired, so we started a fresh one. Please enter your details again.',
  'flows.notice.flow_unknown': 'That link points to a form that no longer exists, so we started a fresh one.',
  'flows.notice.csrf':
    'For your security we could not accept that form: it was opened in another browser window, or your cookies were cleared. We started a fresh one; please try again.',
  'flows.notice.session_required': 'Please sign in to manage your account.',
  'flows.notice.signed_out': 'You have been signed out.',
  'flows.notice.code_resent': 'We sent you a new code. Enter the code from the newest email.',
  // {address}: the email address the code went to, in bold.
  'flows.notice.code_resent_to': 'We sent a new code to {address}. Enter the code from the newest email.',

  // Kratos' node groups: headings on the settings page (login/render-nodes.ts).
  'flows.group.profile': 'Profile',
  'flows.group.password': 'Change password',
  'flows.group.code': 'Sign-in code',
  'flows.group.oidc': 'Linked accounts',
  'flows.group.totp': 'Authenticator app',
  'flows.group.lookup_secret': 'Backup codes',
  'flows.group.webauthn': 'Security keys',
  'flows.group.passkey': 'Passkeys',
  'flows.group.link': 'Email link',
  // Between two ways of signing in.
  'flows.node.or': 'or',
  'flows.node.needs_javascript': 'This option needs JavaScript, which this page does not use.',

  // `/`, the landing page of the login domain.
  'flows.landing.aal2.title': 'Two-step verification',
  'flows.landing.aal2.lead': 'Your account uses an authenticator app. Enter a code from it to finish signing in.',
  'flows.landing.aal2.enter_code': 'Enter a code',
  'flows.landing.sign_out': 'Sign out',
  'flows.landing.welcome.title': 'Welcome',
  'flows.landing.welcome.lead': 'You are not signed in. One account gives you access to every app connected to this service.',
  'flows.landing.sign_in': 'Sign in',
  'flows.landing.create_account': 'Create an account',
  'flows.landing.account.title': 'Your account',
  'flows.landing.hello': 'Hello',
  // {name}: the user's name.
  'flows.landing.hello_named': 'Hello, {name}',
  // {who}: the user's email address, in bold.
  'flows.landing.signed_in_as': 'You are signed in as {who}.',
  'flows.landing.email': 'Email',
  // Whether the email address is verified (a badge beside it).
  'flows.landing.verified': 'verified',
  'flows.landing.not_verified': 'not verified',
  // Label of the date and time the user signed in.
  'flows.landing.signed_in_at': 'Signed in',
  'flows.landing.settings': 'Account settings',
  'flows.landing.verify_email': 'Verify email',

  // `/logout`: the sign-out confirmation.
  'flows.logout.title': 'Sign out',
  'flows.logout.heading': 'Sign out?',
  // {who}: the user's email address (or flows.logout.your_account), in bold.
  'flows.logout.lead': 'You are signed in as {who}. Signing out here also signs you out of every app that uses this sign-in service.',
  'flows.logout.your_account': 'your account',
  'flows.logout.confirm': 'Sign out',
  'flows.logout.cancel': 'Cancel',
  'flows.logout.cross_site': 'This sign-out request did not come from this site, so nothing was done. Use the sign-out button on this site.',

  // The ways on from a "Too many attempts" page (login/lockout-actions.ts).
  'flows.lockout.sign_in': 'Go to sign-in',
  'flows.lockout.sign_in_code': 'Sign in with a code by email',
  'flows.lockout.recovery': 'Forgot your password?',

  // A return_to that is refused (login/check-return-to.ts). {host}: the address asked for.
  'flows.return_to.refused':
    'The link that brought you here asks to send you on to {host} after signing in, but {reason, select, invalid {it is not a valid address} scheme {it is not a web address} credentials {it carries credentials} other {that is not an app registered with this sign-in service}}. Nothing was done. Go back to the app you came from and start again, or contact its administrator.',

  // `/error?id=`: Kratos' flow errors, explained (login/register-flow-error-page.ts).
  'flows.error.csrf':
    "For your security we could not accept that form. This happens when it was opened in another window, left open for a long time, or when your browser cleared or blocked this site's cookies. Nothing was changed. Please start again.",
  'flows.error.return_to_forbidden':
    'The link that brought you here asks to send you on to an address that is not an app registered with this sign-in service. Nothing was done. Go back to the app you came from and start again, or contact its administrator.',
  'flows.error.expired': 'That form expired before it was sent. Nothing was changed. Please start again.',
  'flows.error.already_signed_in': 'You are already signed in.',
  'flows.error.session_inactive': 'Your session has ended. Please sign in again.',
  'flows.error.refresh_required': 'Please sign in again to confirm it is you before making this change.',
  'flows.error.identity_mismatch': 'That link was started for a different account than the one you are signed in with. Sign out and open the link again.',
  'flows.error.account_disabled': 'This account is disabled. Contact your administrator.',
  'flows.error.disabled': 'This option is not available on this sign-in service.',
  'flows.error.none': 'There is no error to show here. If you were signing in, please start again.',
  'flows.error.failed': 'The sign-in service ran into a problem.',
  'flows.error.not_completed': 'That request could not be completed. Nothing was changed. Please start again.',
  'flows.error.report_expired': 'This error report has expired or does not exist. If you were signing in, please start again.',
  'flows.error.unavailable': 'The sign-in service is temporarily unavailable. Please try again in a moment.',
  'flows.error.cookies_blocked':
    'Your browser did not send back the security cookie of this site, so the form cannot be used safely. Allow cookies for this site (or leave private browsing restrictions for it) and try again.',
  'flows.error.action.start_again': 'Start again',
  'flows.error.action.go_to_account': 'Go to your account',
  'flows.error.action.sign_in': 'Sign in',
  'flows.error.action.sign_in_again': 'Sign in again',
  'flows.error.action.sign_out': 'Sign out',
  'flows.error.action.go_to_sign_in': 'Go to sign-in',
  'flows.error.action.home': 'Home',
} as const satisfies Record<string, string>;
