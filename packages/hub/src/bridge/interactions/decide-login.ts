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
 * Decides whether the Kratos session can answer the authorization request or the browser must
 * (re)authenticate through the Kratos login flow first: no session; `prompt=login` with a sign-in
 * older than the request; `max_age` exceeded; `acr_values` asking for aal2 above the session's.
 * A sign-in newer than the request always satisfies prompt=login, which ends the loop through Kratos.
 */
export function decideLogin({ params, interactionIat, kratos, now }: LoginInput): LoginDecision {
  const acrValues = typeof params.acr_values === 'string' ? params.acr_values.split(' ') : [];
  const wantsAal2 = acrValues.length > 0 && acrValues.every((v) => v === 'aal2' || v === 'aal3');
  if (!kratos) return { action: 'kratos-login', refresh: false, aal: wantsAal2 ? 'aal2' : undefined, reason: 'no_session' };
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

/** The Kratos login browser flow that returns to the interaction when done. */
export function buildKratosLoginUrl(publicUrl: string, returnTo: string, decision: { refresh: boolean; aal: string | undefined }): string {
  const url = new URL('/self-service/login/browser', publicUrl);
  url.searchParams.set('return_to', returnTo);
  if (decision.refresh) url.searchParams.set('refresh', 'true');
  if (decision.aal) url.searchParams.set('aal', decision.aal);
  return url.toString();
}
