/**
 * Our wording for Kratos' UI texts, keyed by Kratos' stable text id (text/id.go in Kratos).
 * Tests and the page's data-testid use the id, never the English text. An entry keyed
 * `<id>:<group>` wins over the plain id, for the few labels Kratos reuses across groups.
 * Ids that are missing here keep Kratos' own text.
 */
const COPY: Record<string, string> = {
  // Info: login
  1010003: 'Please confirm it is you to continue.',
  1010014: 'We emailed you a 6-digit sign-in code. Enter it below. No email? Check the address and your spam folder, or send a new code.',
  1010015: 'Email me a sign-in code',
  1010022: 'Sign in',
  // Info: login, second factor (aal2)
  1010004: 'Enter the 6-digit code your authenticator app shows for this account.',
  1010006: 'Code from your authenticator app',
  1010009: 'Verify',
  // Info: registration
  '1040001:profile': 'Continue',
  '1040001:password': 'Create account',
  1040005:
    'We emailed you a 6-digit code. Enter it below to finish creating your account. No email? Check the address and your spam folder, or send a new code.',
  1040006: 'Email me a code instead',
  1040009: 'Choose how you want to sign in from now on: set a password, or get a code by email each time.',
  // Info: settings, recovery, verification
  1050001: 'Your changes have been saved.',
  // Settings: authenticator app (TOTP)
  1050004: 'Remove the authenticator app',
  1050005: 'QR code to scan with your authenticator app',
  1050017: 'Scan the QR code with an authenticator app, or enter this key in it:',
  '1070006:totp': 'Code the app shows now',
  '1070003:totp': 'Turn on two-step verification',
  1060001: 'You have regained access to your account. Set a new password now so you can sign in with it next time.',
  1060003: 'If an account exists for that address, we emailed it a 6-digit recovery code. Enter it below.',
  1080002: 'Your email address is verified. Thank you!',
  1080003: 'We emailed you a 6-digit verification code. Enter it below. No email? Check the address, or send a new code.',
  // Node labels
  1070003: 'Save',
  1070008: 'Send a new code',
  1070010: 'Recovery code',
  1070011: 'Verification code',
  1070012: 'Code from the email',
  1070013: 'Code from the email',
  // Validation errors
  4000006: 'The email address or password is not correct. Check both and try again.',
  4000007: 'An account with this email address already exists. Sign in instead, or recover your account if you forgot your password.',
  4000008: 'That code is not correct. Enter the code your authenticator app shows now.',
  // Decision 0013 (amendment): neither says whether an account exists for the address.
  4000035: 'We could not send a sign-in code to this address. Check the address and try again, or sign in another way.',
  4000037: 'We could not sign you in with this address. Check the address, or sign in another way.',
  4010001: 'That form had expired, so we started a fresh one. Please try again.',
  4010008: 'That code is not correct or has already been used. Check the latest email we sent you, or send a new code.',
  4040001: 'That form had expired, so we started a fresh one. Please try again.',
  4040003: 'That code is not correct or has already been used. Check the latest email we sent you, or send a new code.',
  4050001: 'That form had expired, so we started a fresh one. Please try again.',
  4060005: 'That form had expired, so we started a fresh one. Please try again.',
  4060006: 'That recovery code is not correct or has already been used. Check the latest email we sent you, or start again.',
  4070005: 'That form had expired, so we started a fresh one. Please try again.',
  4070006: 'That verification code is not correct or has already been used. Check the latest email we sent you, or send a new code.',
};

export interface KratosText {
  id: number;
  text: string;
  type?: string;
  context?: object;
}

/** The text to show for a Kratos message or label. */
export function copyFor(text: KratosText, group?: string): string {
  return (group !== undefined ? COPY[`${text.id}:${group}`] : undefined) ?? COPY[String(text.id)] ?? text.text;
}
