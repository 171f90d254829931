// Types only: every call goes through KratosEndpoint (undici). The generated client's runtime
// (axios, its own agent and error shapes) stays out of the process; its types still describe
// every answer Kratos gives (docs/decisions/0005-fetch-for-hot-kratos-calls.md).
import type {
  FlowError,
  GetVersion200Response,
  Identity,
  LoginFlow,
  LogoutFlow,
  RecoveryFlow,
  RegistrationFlow,
  Session,
  SettingsFlow,
  VerificationFlow,
} from '@ory/client';
import { type KratosAnswer, type KratosCallObserver, KratosEndpoint, kratosError, setCookiesOf, unreachableCode } from './kratos-endpoint.ts';
import { KratosError, KratosUnavailableError } from './kratos-error.ts';
import { readEveryPage } from './read-every-page.ts';

export type FlowKind = 'login' | 'registration' | 'recovery' | 'verification' | 'settings';
export type AnyFlow = LoginFlow | RegistrationFlow | RecoveryFlow | VerificationFlow | SettingsFlow;
export type { FlowError, Identity, LoginFlow, RecoveryFlow, RegistrationFlow, Session, SettingsFlow, VerificationFlow };

/** What Kratos' admin `GET /admin/health/ready` said, in the detail `ssohub doctor` reports. */
export type KratosReadiness =
  /** `error`: the code the call failed with (ECONNREFUSED, TimeoutError…), else what went wrong. */
  | { answered: false; error: string }
  | { answered: true; ready: true }
  /** `reason`: Kratos' own words, e.g. "migrations have not yet been fully applied". */
  | { answered: true; ready: false; status: number; reason: string };

/** Health probes answer within this, whatever the call timeout: a readiness check must not hang. */
const HEALTH_TIMEOUT_MS = 3_000;

const JSON_ONLY = { accept: 'application/json' };

/**
 * KratosClient is the only code in the hub that talks to Kratos. Browser-facing calls forward
 * the browser's Cookie header (Kratos checks its CSRF cookie); admin calls go to the loopback
 * admin API. Every call goes through one KratosEndpoint per API (undici), so failures become
 * KratosError (Kratos answered) or KratosUnavailableError (it did not) the same way everywhere.
 */
export class KratosClient {
  readonly publicUrl: string;
  readonly adminUrl: string;
  readonly timeoutMs: number;
  private readonly publicApi: KratosEndpoint;
  private readonly adminApi: KratosEndpoint;

  constructor({ publicUrl, adminUrl, timeoutMs = 10_000 }: { publicUrl: string; adminUrl: string; timeoutMs?: number }) {
    this.publicUrl = publicUrl;
    this.adminUrl = adminUrl;
    this.timeoutMs = timeoutMs;
    this.publicApi = new KratosEndpoint(publicUrl, timeoutMs);
    this.adminApi = new KratosEndpoint(adminUrl, timeoutMs);
  }

  /** Reports every call to either API (latency and outcome) to `observer`: the hub's metrics. */
  observeCalls(observer: KratosCallObserver): void {
    this.publicApi.observer = observer;
    this.adminApi.observer = observer;
  }

  /** Closes every kept-alive connection to Kratos (both APIs), once the calls in flight are answered. */
  async close(): Promise<void> {
    await Promise.allSettled([this.publicApi.close(), this.adminApi.close()]);
  }

  /** The session behind the browser's cookies, or undefined when there is none (401). */
  async whoami(cookie: string | undefined): Promise<Session | undefined> {
    if (!cookie) return undefined;
    return await this.getJson<Session>(this.publicApi, '/sessions/whoami', { cookie, accept: 'application/json' }, 401);
  }

  /**
   * Like whoami, but a browser that passed the first factor and still owes the second one
   * (403 `session_aal2_required`, Kratos' `session.whoami.required_aal: highest_available` once
   * the identity has TOTP) is reported instead of thrown: pages can offer to finish or sign out.
   */
  async whoamiOrPending(cookie: string | undefined): Promise<{ session: Session | undefined; aal2Required: boolean }> {
    try {
      return { session: await this.whoami(cookie), aal2Required: false };
    } catch (err) {
      if (err instanceof KratosError && err.status === 403 && err.errorId === 'session_aal2_required') return { session: undefined, aal2Required: true };
      throw err;
    }
  }

  /** Fetches a browser flow with the browser's cookies (Kratos checks the CSRF cookie). */
  async getFlow(kind: FlowKind, id: string, cookie: string | undefined): Promise<AnyFlow> {
    const res = await this.publicApi.send(`/self-service/${kind}/flows?id=${encodeURIComponent(id)}`, browserHeaders(cookie));
    if (res.status !== 200) throw kratosError(res);
    return res.body as AnyFlow;
  }

  /**
   * Starts a browser login flow on the server side with the browser's cookies, as Kratos'
   * `/self-service/login/browser` would for the browser itself, and returns the flow with the
   * Set-Cookie headers (its CSRF cookie) the hub relays. Saves the browser one redirect through
   * the proxy on every sign-in that starts at an app.
   */
  async createLoginFlow(
    cookie: string | undefined,
    options: { returnTo: string; refresh?: boolean; aal?: string },
  ): Promise<{ flow: LoginFlow; setCookie: string[] }> {
    const query = new URLSearchParams({ return_to: options.returnTo });
    if (options.refresh) query.set('refresh', 'true');
    if (options.aal) query.set('aal', options.aal);
    // Asked for JSON, Kratos answers the flow (200) instead of redirecting the browser to the UI.
    const res = await this.publicApi.send(`/self-service/login/browser?${query}`, browserHeaders(cookie));
    if (res.status !== 200) throw kratosError(res);
    return { flow: res.body as LoginFlow, setCookie: setCookiesOf(res) };
  }

  /** The error a browser flow ended with (Kratos redirects the browser to /error?id=…). */
  async getFlowError(id: string): Promise<FlowError> {
    const res = await this.publicApi.send(`/self-service/errors?id=${encodeURIComponent(id)}`, JSON_ONLY);
    if (res.status !== 200) throw kratosError(res);
    return res.body as FlowError;
  }

  /** Creates a logout flow for the browser's session; undefined when there is no session. */
  async createLogoutUrl(cookie: string | undefined, returnTo?: string): Promise<{ logoutUrl: string; logoutToken: string } | undefined> {
    if (!cookie) return undefined;
    const query = returnTo ? `?${new URLSearchParams({ return_to: returnTo })}` : '';
    const res = await this.publicApi.send(`/self-service/logout/browser${query}`, { cookie, accept: 'application/json' });
    if (res.status === 401) return undefined;
    if (res.status !== 200) throw kratosError(res);
    const flow = res.body as LogoutFlow;
    return { logoutUrl: flow.logout_url, logoutToken: flow.logout_token };
  }

  /**
   * Completes a browser logout on the server side: Kratos revokes the session behind the cookie
   * and answers with the Set-Cookie headers (expired session cookie, fresh CSRF cookie) that the
   * hub relays to the browser. JSON is asked for so Kratos answers 204 instead of redirecting
   * (a redirect, never followed, is an error like any other answer).
   */
  async completeLogout(cookie: string, logoutToken: string): Promise<{ setCookie: string[] }> {
    const res = await this.publicApi.send(`/self-service/logout?${new URLSearchParams({ token: logoutToken })}`, { cookie, accept: 'application/json' });
    if (res.status !== 204 && res.status !== 200) throw kratosError(res);
    return { setCookie: setCookiesOf(res) };
  }

  /** Admin: a session by id (active or not), with its identity; undefined when unknown. */
  async getSession(id: string): Promise<Session | undefined> {
    // On every refresh and userinfo call: see whoami.
    return await this.getJson<Session>(this.adminApi, `/admin/sessions/${encodeURIComponent(id)}?expand=identity`, JSON_ONLY, 404);
  }

  /** Admin: revokes (deactivates) one session; an unknown one is already gone. */
  async revokeSession(id: string): Promise<void> {
    const res = await this.adminApi.send(`/admin/sessions/${encodeURIComponent(id)}`, JSON_ONLY, { method: 'DELETE' });
    if (res.status !== 204 && res.status !== 200 && res.status !== 404) throw kratosError(res);
  }

  /**
   * Admin: every session of an identity (active ones only by default), read page by page to the
   * end; an unknown identity has none. More than readEveryPage's bound throws rather than answer
   * part of the list (the admin API revokes "all" sessions from it).
   */
  async listIdentitySessions(identityId: string, { active = true }: { active?: boolean } = {}): Promise<Session[]> {
    return await readEveryPage<Session>(this.adminApi, `/admin/identities/${encodeURIComponent(identityId)}/sessions`, new URLSearchParams({ active: String(active) }), {
      what: `the sessions of identity ${identityId}`,
      paging: 'numbered',
      absentStatus: 404,
    });
  }

  /** Admin: an identity by id; undefined when unknown. */
  async getIdentity(id: string): Promise<Identity | undefined> {
    return await this.getJson<Identity>(this.adminApi, `/admin/identities/${encodeURIComponent(id)}`, JSON_ONLY, 404);
  }

  /**
   * Admin: the identity with its security keys' public data (`include_credential=webauthn`): the
   * webauthn credential exists as soon as the identity has an address (the schema makes the email
   * its identifier), so only its `config.credentials` says whether a key is enrolled. Never asks
   * for secrets (lookup_secret, totp, password stay redacted by Kratos).
   */
  async getIdentityWithSecurityKeys(id: string): Promise<Identity | undefined> {
    return await this.getJson<Identity>(this.adminApi, `/admin/identities/${encodeURIComponent(id)}?include_credential=webauthn`, JSON_ONLY, 404);
  }

  /**
   * Admin: finds the identity whose credentials identifier (e.g. email) matches: the first of
   * every match, read to the end (an identity matches once per credential type that carries the
   * identifier, so more than one page is unlikely but not assumed away).
   */
  async findIdentityByIdentifier(identifier: string): Promise<Identity | undefined> {
    const matches = await readEveryPage<Identity>(this.adminApi, '/admin/identities', new URLSearchParams({ credentials_identifier: identifier }), {
      what: 'the identities matching a credentials identifier',
      paging: 'linked',
    });
    return matches[0];
  }

  /**
   * Admin: one page of identities (credentials included), ordered by id: those whose credentials
   * identifier is `identifier` exactly, or starts with `identifierPrefix` (Kratos v1.3.1's
   * `preview_credentials_identifier_similar`: a LIKE 'prefix%' on the normalized, lower-cased
   * identifier, never a scan the hub makes). At most `limit` (1-1000): a search, not a listing of
   * everyone.
   */
  async listIdentities({ identifier, identifierPrefix, limit }: { identifier?: string; identifierPrefix?: string; limit: number }): Promise<Identity[]> {
    const query = new URLSearchParams({ page_size: String(limit) });
    if (identifier !== undefined) query.set('credentials_identifier', identifier);
    else if (identifierPrefix !== undefined) query.set('preview_credentials_identifier_similar', identifierPrefix);
    const res = await this.adminApi.send(`/admin/identities?${query}`, JSON_ONLY);
    if (res.status !== 200) throw kratosError(res);
    if (!Array.isArray(res.body)) throw new KratosUnavailableError('Kratos sent an unreadable answer: the identities are not a list');
    return (res.body as Identity[]).slice(0, limit);
  }

  /**
   * Admin: sets an identity's state (a JSON Patch of /state). Kratos refuses the sign-in of an
   * inactive identity and reports its sessions inactive (session.IsActive checks the identity),
   * but does not end them. Undefined when the identity is unknown.
   */
  async setIdentityState(id: string, state: 'active' | 'inactive'): Promise<Identity | undefined> {
    const res = await this.adminApi.send(`/admin/identities/${encodeURIComponent(id)}`, JSON_ONLY, {
      method: 'PATCH',
      json: [{ op: 'replace', path: '/state', value: state }],
    });
    if (res.status === 200) return res.body as Identity;
    if (res.status === 404) return undefined;
    throw kratosError(res);
  }

  /** Admin: deletes an identity with its credentials and sessions; false when it was already gone. */
  async deleteIdentity(id: string): Promise<boolean> {
    const res = await this.adminApi.send(`/admin/identities/${encodeURIComponent(id)}`, JSON_ONLY, { method: 'DELETE' });
    if (res.status === 204 || res.status === 200) return true;
    if (res.status === 404) return false;
    throw kratosError(res);
  }

  /**
   * Admin: removes a second factor of an identity. Kratos v1.3.1 accepts `totp` and
   * `lookup_secret` (the whole credential) and `webauthn` (the security keys registered as a
   * second factor; keys registered for passwordless sign-in stay), and refuses first factors
   * (password, code: 400; passkey: 400 unknown type). False when the identity has no such
   * credential (Kratos' 404, as for an unknown identity).
   */
  async deleteSecondFactor(id: string, type: 'totp' | 'lookup_secret' | 'webauthn'): Promise<boolean> {
    const res = await this.adminApi.send(`/admin/identities/${encodeURIComponent(id)}/credentials/${type}`, JSON_ONLY, { method: 'DELETE' });
    if (res.status === 204 || res.status === 200) return true;
    if (res.status === 404) return false;
    throw kratosError(res);
  }

  /**
   * Sends a fresh verification code to `email` through a verification flow the hub starts for
   * itself (Kratos v1.3.1 has no admin endpoint for it): the native (`api`) flow needs no browser
   * cookies, and its `code` method mails the code and a link to the address, as the browser flow
   * would. Kratos mails only addresses it knows; `transientPayload` reaches the mail templates
   * (its `locale` picks their language). Returns the flow's state (`sent_email`).
   */
  async sendVerificationCode(email: string, transientPayload?: Record<string, unknown>): Promise<string | undefined> {
    const started = await this.publicApi.send('/self-service/verification/api', JSON_ONLY);
    if (started.status !== 200) throw kratosError(started);
    const flow = started.body as VerificationFlow;
    const res = await this.publicApi.send(`/self-service/verification?${new URLSearchParams({ flow: flow.id })}`, JSON_ONLY, {
      method: 'POST',
      json: { method: 'code', email, ...(transientPayload ? { transient_payload: transientPayload } : {}) },
    });
    if (res.status !== 200) throw kratosError(res);
    return (res.body as VerificationFlow | undefined)?.state as string | undefined;
  }

  /** Admin readiness: 200 with ok, or the real error text Kratos gives (database, migrations). */
  async readiness(): Promise<{ ready: boolean; errors: Record<string, string> }> {
    try {
      const res = await this.adminApi.send('/admin/health/ready', JSON_ONLY, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
      if (res.status === 200) return { ready: true, errors: {} };
      // Kratos answers `{"errors": {check: text}}` for failed checks and, from v1.3 on for a
      // database it cannot reach, its usual `{"error": {"message", "reason"}}`.
      const body = (res.body ?? {}) as { errors?: Record<string, string>; error?: { message?: string; reason?: string } };
      const said = [body.error?.message, body.error?.reason].filter(Boolean).join(': ');
      return { ready: false, errors: body.errors ?? { kratos: said ? `readiness answered ${res.status}: ${said}` : `readiness answered ${res.status}` } };
    } catch (err) {
      return { ready: false, errors: { kratos: (err as Error).message } };
    }
  }

  /**
   * Admin readiness in the detail the doctor needs: whether Kratos answered, and if it is not
   * ready, its reason. Kratos v1.3.1 answers 503 with
   * `{"error":{"message":"<each failing check's error, joined by '; '>"}}`, the check names
   * dropped; other ory/x versions answer `{"errors":{"<check>":"<error>"}}`. Both are read.
   */
  async readinessReport(timeoutMs = HEALTH_TIMEOUT_MS): Promise<KratosReadiness> {
    let res: KratosAnswer;
    try {
      res = await this.adminApi.send('/admin/health/ready', JSON_ONLY, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      return { answered: false, error: unreachableCode(err) ?? (err as Error).message };
    }
    if (res.status >= 200 && res.status < 300) return { answered: true, ready: true };
    const body = res.body as { errors?: Record<string, unknown>; error?: { message?: unknown } } | undefined;
    const reason = body?.errors
      ? Object.entries(body.errors).map(([check, error]) => `${check}: ${String(error)}`).join('; ')
      : typeof body?.error?.message === 'string'
        ? body.error.message
        : `readiness answered ${res.status}`;
    return { answered: true, ready: false, status: res.status, reason };
  }

  /**
   * Kratos' clock: the Date header of its public liveness answer (whatever the status), with when
   * the call was sent and answered (ms since the epoch). Date has one-second resolution; the
   * caller compares it with the middle of the call.
   */
  async publicDate(timeoutMs = HEALTH_TIMEOUT_MS): Promise<{ date: string | undefined; sentAt: number; answeredAt: number }> {
    const sentAt = Date.now();
    const res = await this.publicApi.send('/health/alive', JSON_ONLY, { signal: AbortSignal.timeout(timeoutMs) });
    const answeredAt = Date.now();
    const date = res.headers.date;
    return { date: typeof date === 'string' ? date : undefined, sentAt, answeredAt };
  }

  /** Admin: the version Kratos reports (`/admin/version`; `/version` on the admin port only redirects there). */
  async version(): Promise<string> {
    const res = await this.adminApi.send('/admin/version', JSON_ONLY);
    if (res.status !== 200) throw kratosError(res);
    const version = (res.body as Partial<GetVersion200Response> | undefined)?.version;
    if (typeof version !== 'string') throw new KratosUnavailableError('Kratos sent an unreadable answer: no version');
    return version;
  }

  /** Public liveness through Kratos' own public listener (what the proxy depends on). */
  async publicAlive(): Promise<boolean> {
    try {
      const res = await this.publicApi.send('/health/alive', JSON_ONLY, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
      return res.status === 200;
    } catch {
      return false;
    }
  }

  /**
   * GETs JSON from Kratos; `absentStatus` (401 for whoami, 404 for admin lookups) means "none"
   * and answers undefined. Other answers become KratosError, network failures KratosUnavailableError.
   */
  private async getJson<T>(api: KratosEndpoint, path: string, headers: Record<string, string>, absentStatus: number): Promise<T | undefined> {
    const res = await api.send(path, headers);
    if (res.status === 200) return res.body as T;
    if (res.status === absentStatus) return undefined;
    throw kratosError(res);
  }
}

/** What a browser-facing call sends: JSON wanted, and the browser's cookies (Kratos checks its CSRF cookie). */
function browserHeaders(cookie: string | undefined): Record<string, string> {
  return cookie ? { accept: 'application/json', cookie } : JSON_ONLY;
}
