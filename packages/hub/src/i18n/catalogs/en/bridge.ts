/** English messages: bridge (ICU MessageFormat). The reference every other catalog is checked against. */
export default {
  // Consent page of third-party apps (interactions/consent-page.ts).
  'bridge.consent.title': 'Allow {app}?',
  'bridge.consent.heading': 'Allow {app} to use your account?',
  'bridge.consent.lead': 'This app is not run by the team behind this sign-in. If you allow it, it can:',
  'bridge.consent.scope.openid': 'Know who you are (your account identifier)',
  'bridge.consent.scope.email': 'See your email address and whether it is verified',
  'bridge.consent.scope.profile': 'See your name',
  'bridge.consent.scope.offline_access': 'Keep access while you are away',
  'bridge.consent.scope.other': 'Use the "{scope}" permission',
  'bridge.consent.claim': 'See your {claim}',
  'bridge.consent.approve': 'Allow',
  'bridge.consent.deny': 'Deny',

  // RP-initiated logout (logout/logout-pages.ts).
  'bridge.logout.title': 'Sign out',
  'bridge.logout.app_asks': '{app} asks to sign you out.',
  'bridge.logout.question': 'Do you want to sign out?',
  'bridge.logout.everywhere_explained': 'Signing out everywhere ends your session on every app that uses this sign-in.',
  'bridge.logout.everywhere': 'Sign out everywhere',
  'bridge.logout.only_app': 'Only sign out of {app}',
  'bridge.logged_out.title': 'Signed out',
  'bridge.logged_out.heading': 'You are signed out',
  'bridge.logged_out.close': 'You can close this window.',
  'bridge.logged_out.sign_in_again': 'Sign in again',

  // Errors oidc-provider shows the browser itself, in the hub's words (logout/logout-pages.ts).
  'bridge.error.title.sign_in': 'We could not sign you in',
  'bridge.error.title.sign_out': 'We could not sign you out',
  'bridge.error.code': 'Error code: {code}',
  'bridge.error.reference': 'Reference: {reference}',
  'bridge.error.unregistered_address':
    'The app asked to send you back to an address it has not registered with this sign-in service, so you were not sent there.',
  'bridge.error.unchecked_details': 'The app sent sign-in details this sign-in service could not check.',
  'bridge.error.other_app_details': 'The app sent sign-in details that belong to another app.',
  'bridge.error.form_expired': 'This form has expired or was already used.',
  'bridge.error.logout_form_expired': 'This sign-out form has expired or was already used.',
  'bridge.error.invalid_client': 'The app that sent you here is not registered with this sign-in service.',
  'bridge.error.unauthorized_client': 'The app that sent you here is not allowed to make this request.',
  'bridge.error.invalid_scope': 'The app asked for access it is not allowed to ask for.',
  'bridge.error.access_denied': 'The request was refused.',
  'bridge.error.server_error': 'Something went wrong on our side.',
  'bridge.error.temporarily_unavailable': 'This sign-in service is busy right now.',
  'bridge.error.fallback': 'The app that sent you here sent a request this sign-in service cannot accept.',
  'bridge.error.next.back_to_app': 'Go back to the app and try again. If it happens again, contact the support of that app.',
  'bridge.error.next.contact_support': 'Go back to the app and try again, or contact its support.',
  'bridge.error.next.start_again': 'Go back to the app and start again from there.',
  'bridge.error.next.sign_out_again': 'Go back to the app and sign out again from there.',
  'bridge.error.next.wait': 'Wait a moment, then go back to the app and try again.',

  // Errors of the interaction pages (interactions/register-interactions.ts).
  'bridge.interaction.expired': 'This sign-in request has expired or belongs to another browser. Go back to the app and start again.',
  'bridge.interaction.other_browser': 'This sign-in request does not match this browser.',
  'bridge.interaction.client_gone': 'The app that started this sign-in no longer exists.',
  'bridge.interaction.unsupported_prompt': 'Unsupported interaction prompt "{prompt}".',
  'bridge.interaction.consent_not_waiting': 'This consent request is no longer waiting for an answer.',
  'bridge.interaction.no_user': 'There is no signed-in user for this consent.',

  // Requests the provider's mount refuses (provider/mount-provider.ts).
  'bridge.request.fragment': 'The request target of this request is not valid: it must not contain a fragment (#).',
  'bridge.request.bad_host': 'The Host header of this request is not valid.',
} as const satisfies Record<string, string>;
