/**
 * Owns the answer to a `login` prompt, as pure functions of what the interaction knows: whether
 * the browser's Kratos session answers it, or which Kratos login flow the browser goes through
 * first.
 */

/** What the interaction does with the browser's Kratos session for a `login` prompt. */
export type LoginDecision =
  | { action: 'finish' }
  | { action: 'kratos-login'; refresh: boolean; aal: 'aal2' | undefined; reason: string };

export interface LoginInput {
  /** The authorization request's parameters (prompt, max_age, acr_values). */
  params: { prompt?: unknown; max_age?: unknown; acr_values?: unknown };
  /** Epoch seconds when the interaction was created (the client's redirect reached the hub). */
  interactionIat: number;
  /** The Kratos session behind the browser's cookies, if any. */
  kratos: { authenticatedAt: number; aal: string } | undefined;
  now: number;
}

/**
 * The browser must (re)authenticate through the Kratos login flow first on: no session;
 * `prompt=login` with a sign-in older than the request; `max_age` exceeded; `acr_values` asking
 * for aal2 above the session's. A sign-in newer than the request always satisfies prompt=login,
 * which ends the loop through Kratos.
 */
export function decideLogin({ params, interactionIat, kratos, now }: LoginInput): LoginDecision {
  const acrValues = typeof params.acr_values === 'string' ? params.acr_values.split(' ') : [];
  const wantsAal2 = acrValues.length > 0 && acrValues.every((v) => v === 'aal2' || v === 'aal3');
  // Kratos refuses aal=aal2 without a session (session_aal1_required): the first factor comes
  // first; its login flow continues to the aal2 step by itself for identities with a second
  // factor, and the others come back here at aal1 (then the check below applies).
  if (!kratos) return { action: 'kratos-login', refresh: false, aal: undefined, reason: 'no_session' };
  const prompts = typeof params.prompt === 'string' ? params.prompt.split(' ') : [];
  if (prompts.includes('login') && kratos.authenticatedAt < interactionIat) {
    return { action: 'kratos-login', refresh: true, aal: wantsAal2 ? 'aal2' : undefined, reason: 'prompt_login' };
  }
  const maxAge = params.max_age === undefined ? undefined : Number(params.max_age);
  if (maxAge !== undefined && Number.isFinite(maxAge) && now - kratos.authenticatedAt > maxAge) {
    return { action: 'kratos-login', refresh: true, aal: wantsAal2 ? 'aal2' : undefined, reason: 'max_age' };
  }
  if (wantsAal2 && kratos.aal !== 'aal2' && kratos.aal !== 'aal3') {
    return { action: 'kratos-login', refresh: false, aal: 'aal2', reason: 'acr_values' };
  }
  return { action: 'finish' };
}

/**
 * Kratos credential types that satisfy aal2 in the hub's Kratos configuration (deploy/kratos:
 * TOTP, backup codes, security keys). `code` is a first factor there (passwordless_enabled, not
 * mfa_enabled) and so is `passkey`, so neither counts.
 */
const SECOND_FACTORS = new Set(['totp', 'lookup_secret']);

type WebAuthnConfig = { credentials?: { is_passwordless?: boolean }[] | null };

/**
 * Whether the identity (as Kratos' admin API returns it with `include_credential=webauthn`:
 * KratosClient.getIdentityWithSecurityKeys) has a second factor to reach aal2 with. Without one,
 * Kratos' aal2 login flow shows no method at all, so the hub answers the client instead of
 * sending the user to a form they cannot submit. The webauthn credential exists for every
 * identity with an address (the schema makes the email its identifier): only an enrolled key
 * that is not a passwordless one counts, as in Kratos' own count of second factors.
 */
export function hasSecondFactor(identity: { credentials?: Record<string, unknown> | null } | undefined): boolean {
  const credentials = identity?.credentials ?? {};
  if (Object.keys(credentials).some((type) => SECOND_FACTORS.has(type))) return true;
  const webauthn = (credentials.webauthn as { config?: WebAuthnConfig } | undefined)?.config;
  return (webauthn?.credentials ?? []).some((c) => c.is_passwordless !== true);
}

/** The Kratos login browser flow that returns to the interaction when done. */
export function buildKratosLoginUrl(publicUrl: string, returnTo: string, decision: { refresh: boolean; aal: string | undefined }): string {
  const url = new URL('/self-service/login/browser', publicUrl);
  url.searchParams.set('return_to', returnTo);
  if (decision.refresh) url.searchParams.set('refresh', 'true');
  if (decision.aal) url.searchParams.set('aal', decision.aal);
  return url.toString();
}
