/**
 * Owns what a login submission to Kratos says about a sign-in, for `ssohub_sign_ins_total`: which
 * method it tried and how Kratos' answer ended it. A fixed set of label values: a submission that
 * names another method (or none) is not a sign-in attempt and is not counted.
 */
import type { Counter } from 'prom-client';
import type { KratosAnswer, Submission } from '../proxy/submission-guard.ts';

/**
 * Kratos' login methods the hub counts (the `method` field of a login submission):
 * first factors `password`, `code` (a one-time code by mail), `passkey`, `oidc` (an upstream
 * provider); second factors `totp`, `lookup_secret` (a recovery code); `webauthn` is a security
 * key or a passkey used as a second factor (or Kratos' older passwordless first factor).
 */
export const SIGN_IN_METHODS = ['password', 'code', 'passkey', 'webauthn', 'totp', 'lookup_secret', 'oidc'] as const;
export type SignInMethod = (typeof SIGN_IN_METHODS)[number];

/**
 * - `success`: Kratos set a session cookie (signed in, or the session raised to a second factor);
 * - `failure`: Kratos answered without a session (a wrong credential, or the flow had expired);
 * - `started`: an `oidc` submission that sent the browser on to the upstream provider, which
 *   signs the user in on its own domain; its return (Kratos' callback) is not a submission.
 */
export type SignInOutcome = 'success' | 'failure' | 'started';

/**
 * The method a login submission tries to sign in with, or undefined when it tries none: another
 * flow, a resend, or a step that asks Kratos for the next screen (an identifier alone, the
 * request for a WebAuthn challenge). Each method counts when it carries its credential.
 */
export function signInMethodOf({ kind, fields }: Submission): SignInMethod | undefined {
  if (kind !== 'login') return undefined;
  const method = fields.method ?? '';
  const has = (name: string) => (fields[name] ?? '') !== '';
  switch (method) {
    case 'password':
      // As the guard counts it: Kratos still accepts the legacy `password_identifier`.
      return has('password') && (has('identifier') || has('password_identifier')) ? 'password' : undefined;
    case 'code':
      return has('code') && fields.resend !== 'code' ? 'code' : undefined;
    case 'passkey':
      return has('passkey_login') ? 'passkey' : undefined;
    case 'webauthn':
      return has('webauthn_login') ? 'webauthn' : undefined;
    case 'totp':
      return has('totp_code') ? 'totp' : undefined;
    case 'lookup_secret':
      return has('lookup_secret') ? 'lookup_secret' : undefined;
    case 'oidc':
      return has('provider') ? 'oidc' : undefined;
    case '':
      // Kratos' provider buttons may submit `provider` alone: its oidc strategy takes those.
      return has('provider') ? 'oidc' : undefined;
    default:
      return undefined;
  }
}

/**
 * How Kratos' answer ended the attempt. An `oidc` submission has started when Kratos sends the
 * browser away from the hub (a redirect to another origin for a form post, 422
 * `browser_location_change_required` for a JSON one); back to the hub's own pages, it failed.
 */
export function signInOutcome(method: SignInMethod, answer: KratosAnswer, hubOrigin: string): SignInOutcome {
  if (answer.setSession) return 'success';
  if (method !== 'oidc') return 'failure';
  if (answer.status === 422) return 'started';
  if (answer.status >= 300 && answer.status < 400 && answer.location) {
    try {
      if (new URL(answer.location, hubOrigin).origin !== hubOrigin) return 'started';
    } catch {
      // An unreadable Location is no redirect to the upstream.
    }
  }
  return 'failure';
}

/** Counts the sign-in a submission attempted, if any, by method and outcome. */
export function countSignIn(counter: Counter<'method' | 'outcome'>, submission: Submission, answer: KratosAnswer, hubOrigin: string): void {
  const method = signInMethodOf(submission);
  if (method) counter.inc({ method, outcome: signInOutcome(method, answer, hubOrigin) });
}
