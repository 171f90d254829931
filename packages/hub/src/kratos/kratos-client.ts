import http from 'node:http';
import {
  Configuration,
  FrontendApi,
  IdentityApi,
  MetadataApi,
  type Identity,
  type LoginFlow,
  type RecoveryFlow,
  type RegistrationFlow,
  type Session,
  type SettingsFlow,
  type VerificationFlow,
  type FlowError,
} from '@ory/client';
import { Pool } from 'undici';
import { KratosError, KratosUnavailableError } from './kratos-error.ts';

export type FlowKind = 'login' | 'registration' | 'recovery' | 'verification' | 'settings';
export type AnyFlow = LoginFlow | RegistrationFlow | RecoveryFlow | VerificationFlow | SettingsFlow;
export type { Identity, Session, FlowError, LoginFlow, RegistrationFlow, RecoveryFlow, VerificationFlow, SettingsFlow };

/**
 * KratosClient is the only code in the hub that talks to Kratos. Browser-facing calls forward
 * the browser's Cookie header (Kratos checks its CSRF cookie); admin calls go to the loopback
 * admin API. Failures become KratosError (Kratos answered) or KratosUnavailableError (it did not).
 */
export class KratosClient {
  private readonly frontend: FrontendApi;
  private readonly identities: IdentityApi;
  private readonly adminMeta: MetadataApi;
  readonly publicUrl: string;
  readonly adminUrl: string;
  readonly timeoutMs: number;
  // The calls on every SSO hop, refresh and sign-in (whoami, the admin session lookup, creating
  // and reading browser flows) go through undici's Pool: a third of the CPU of fetch() per call,
  // which builds WHATWG Request, Headers, an AbortSignal timer and a body stream each time, and
  // less than the generated axios client (docs/benchmarks.md).
  private readonly publicApi: Endpoint;
  private readonly adminApi: Endpoint;

  constructor({ publicUrl, adminUrl, timeoutMs = 10_000 }: { publicUrl: string; adminUrl: string; timeoutMs?: number }) {
    this.publicUrl = publicUrl;
    this.adminUrl = adminUrl;
    this.timeoutMs = timeoutMs;
    const baseOptions = { timeout: timeoutMs, httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64 }) };
    this.frontend = new FrontendApi(new Configuration({ basePath: publicUrl, baseOptions }));
    this.identities = new IdentityApi(new Configuration({ basePath: adminUrl, baseOptions }));
    this.adminMeta = new MetadataApi(new Configuration({ basePath: adminUrl, baseOptions }));
    const endpoint = (url: string): Endpoint => {
      const { origin, pathname } = new URL(url);
      return { pool: new Pool(origin, { connections: 64, headersTimeout: timeoutMs, bodyTimeout: timeoutMs }), base: pathname.replace(/\/+$/, '') };
    };
    this.publicApi = endpoint(publicUrl);
    this.adminApi = endpoint(adminUrl);
  }

  /** Closes the kept-alive connections of the hot-path calls. */
  async close(): Promise<void> {
    await Promise.allSettled([this.publicApi.pool.close(), this.adminApi.pool.close()]);
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
    const res = await this.send(this.publicApi, `/self-service/${kind}/flows?id=${encodeURIComponent(id)}`, browserHeaders(cookie));
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
    const res = await this.send(this.publicApi, `/self-service/login/browser?${query}`, browserHeaders(cookie));
    if (res.status !== 200) throw kratosError(res);
    return { flow: res.body as LoginFlow, setCookie: res.setCookie };
  }

  async getFlowError(id: string): Promise<FlowError> {
    return (await call(() => this.frontend.getFlowError({ id }))).data;
  }

  /** Creates a logout flow for the browser's session; undefined when there is no session. */
  async createLogoutUrl(cookie: string | undefined, returnTo?: string): Promise<{ logoutUrl: string; logoutToken: string } | undefined> {
    if (!cookie) return undefined;
    try {
      const { data } = await call(() => this.frontend.createBrowserLogoutFlow({ cookie, ...(returnTo ? { returnTo } : {}) }));
      return { logoutUrl: data.logout_url, logoutToken: data.logout_token };
    } catch (err) {
      if (err instanceof KratosError && err.status === 401) return undefined;
      throw err;
    }
  }

  /**
   * Completes a browser logout on the server side: Kratos revokes the session behind the cookie
   * and answers with the Set-Cookie headers (expired session cookie, fresh CSRF cookie) that the
   * hub relays to the browser. JSON is asked for so Kratos answers 204 instead of redirecting.
   */
  async completeLogout(cookie: string, logoutToken: string): Promise<{ setCookie: string[] }> {
    const res = await call(() =>
      this.frontend.updateLogoutFlow({ token: logoutToken, cookie }, { headers: { accept: 'application/json' }, maxRedirects: 0 }),
    );
    return { setCookie: setCookiesOf(res.headers) };
  }

  /** Admin: a session by id (active or not), with its identity; undefined when unknown. */
  async getSession(id: string): Promise<Session | undefined> {
    // On every refresh and userinfo call: see whoami.
    return await this.getJson<Session>(this.adminApi, `/admin/sessions/${encodeURIComponent(id)}?expand=identity`, { accept: 'application/json' }, 404);
  }

  /** Admin: revokes (deactivates) one session. */
  async revokeSession(id: string): Promise<void> {
    try {
      await call(() => this.identities.disableSession({ id }));
    } catch (err) {
      if (err instanceof KratosError && err.status === 404) return;
      throw err;
    }
  }

  /** Admin: the sessions of an identity (active ones only by default). */
  async listIdentitySessions(identityId: string, { active = true }: { active?: boolean } = {}): Promise<Session[]> {
    try {
      return (await call(() => this.identities.listIdentitySessions({ id: identityId, active, pageSize: 500 }))).data;
    } catch (err) {
      if (err instanceof KratosError && err.status === 404) return [];
      throw err;
    }
  }

  async getIdentity(id: string): Promise<Identity | undefined> {
    try {
      return (await call(() => this.identities.getIdentity({ id }))).data;
    } catch (err) {
      if (err instanceof KratosError && err.status === 404) return undefined;
      throw err;
    }
  }

  /** Admin: finds the identity whose credentials identifier (e.g. email) matches. */
  async findIdentityByIdentifier(identifier: string): Promise<Identity | undefined> {
    const { data } = await call(() => this.identities.listIdentities({ credentialsIdentifier: identifier }));
    return data[0];
  }

  /** Admin readiness: 200 with ok, or the real error text Kratos gives (database, migrations). */
  async readiness(): Promise<{ ready: boolean; errors: Record<string, string> }> {
    try {
      const res = await fetch(`${this.adminUrl}/admin/health/ready`, { signal: AbortSignal.timeout(3_000) });
      if (res.ok) return { ready: true, errors: {} };
      // Kratos answers `{"errors": {check: text}}` for failed checks and, from v1.3 on for a
      // database it cannot reach, its usual `{"error": {"message", "reason"}}`.
      const body = (await res.json().catch(() => ({}))) as { errors?: Record<string, string>; error?: { message?: string; reason?: string } };
      const said = [body.error?.message, body.error?.reason].filter(Boolean).join(': ');
      return { ready: false, errors: body.errors ?? { kratos: said ? `readiness answered ${res.status}: ${said}` : `readiness answered ${res.status}` } };
    } catch (err) {
      if (err instanceof KratosError) {
        const errors = ((err.body as { errors?: Record<string, string> })?.errors ?? {}) as Record<string, string>;
        return { ready: false, errors: Object.keys(errors).length ? errors : { kratos: err.message } };
      }
      return { ready: false, errors: { kratos: (err as Error).message } };
    }
  }

  async version(): Promise<string> {
    return (await call(() => this.adminMeta.getVersion())).data.version;
  }

  /** Public liveness through Kratos' own public listener (what the proxy depends on). */
  async publicAlive(): Promise<boolean> {
    try {
      const res = await fetch(`${this.publicUrl}/health/alive`, { signal: AbortSignal.timeout(3_000) });
      return res.ok;
    } catch {
      return false;
    }
  }

  /**
   * GETs JSON from Kratos; `absentStatus` (401 for whoami, 404 for admin lookups) means "none"
   * and answers undefined. Other answers become KratosError, network failures KratosUnavailableError.
   */
  private async getJson<T>(api: Endpoint, path: string, headers: Record<string, string>, absentStatus: number): Promise<T | undefined> {
    const res = await this.send(api, path, headers);
    if (res.status === 200) return res.body as T;
    if (res.status === absentStatus) return undefined;
    throw kratosError(res);
  }

  /**
   * One GET of `path` (with its query) through an endpoint's pool; network failures and an
   * unreadable 200 become KratosUnavailableError.
   */
  private async send({ pool, base }: Endpoint, path: string, headers: Record<string, string>): Promise<KratosAnswer> {
    let res: Awaited<ReturnType<Pool['request']>>;
    try {
      res = await pool.request({ method: 'GET', path: `${base}${path}`, headers });
    } catch (err) {
      const code = (err as { code?: string }).code;
      throw new KratosUnavailableError(`Kratos is unreachable: ${code ?? (err as Error).message}`, { cause: err });
    }
    let body: unknown;
    try {
      body = await res.body.json();
    } catch (err) {
      if (res.statusCode === 200) throw new KratosUnavailableError(`Kratos sent an unreadable answer: ${(err as Error).message}`, { cause: err });
    }
    return { status: res.statusCode, body, setCookie: setCookiesOf(res.headers) };
  }
}

/** A Kratos API: connections to its origin, and the path it is served under ('' at the root). */
interface Endpoint {
  pool: Pool;
  base: string;
}

interface KratosAnswer {
  status: number;
  body: unknown;
  setCookie: string[];
}

function kratosError(res: KratosAnswer): KratosError {
  return new KratosError(res.status, (res.body as { error?: { id?: string } } | undefined)?.error?.id, res.body);
}

/** What a browser-facing call sends: JSON wanted, and the browser's cookies (Kratos checks its CSRF cookie). */
function browserHeaders(cookie: string | undefined): Record<string, string> {
  return cookie ? { accept: 'application/json', cookie } : { accept: 'application/json' };
}

function setCookiesOf(headers: unknown): string[] {
  const header = (headers as Record<string, unknown>)['set-cookie'];
  return Array.isArray(header) ? header.map(String) : typeof header === 'string' ? [header] : [];
}

interface AxiosLikeError {
  isAxiosError?: boolean;
  response?: { status: number; data: unknown };
  code?: string;
  message: string;
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = err as AxiosLikeError;
    if (e.response) {
      const data = e.response.data as { error?: { id?: string } } | undefined;
      throw new KratosError(e.response.status, data?.error?.id, e.response.data, { cause: err });
    }
    throw new KratosUnavailableError(`Kratos is unreachable: ${e.code ?? e.message}`, { cause: err });
  }
}
