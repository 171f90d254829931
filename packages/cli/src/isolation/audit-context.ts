import type { CheckResult, Evidence, Verdict } from './report.ts';

/** What the audit knows about the deployment under review. */
export interface AuditTarget {
  /** Origin of the login domain, e.g. https://login.example.com */
  hubUrl: string;
  /** The issuer; default: hubUrl + /oidc */
  issuer: string;
  /** Admin API, for the client registry and for sign-in probes with a temporary client. */
  adminUrl: string | undefined;
  adminToken: string | undefined;
  /** Client apps to probe from outside, e.g. https://app-a.example.com */
  apps: AppTarget[];
  /** A dedicated test account, for the checks that need a real sign-in. */
  testUser: { email: string; password: string } | undefined;
  /** Called after each check is recorded (the CLI prints progress to stderr). */
  onCheck?: (check: CheckResult) => void;
}

export interface AppTarget {
  url: string;
  /** The app's client id at the hub (found through its registered redirect URIs when omitted). */
  clientId: string | undefined;
  /** Path that starts sign-in; default /auth/login (the SDK's default). */
  loginPath: string;
  /** A path that needs a bearer access token for this app, e.g. /api/me. */
  apiPath: string | undefined;
}

export interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  end_session_endpoint?: string;
  introspection_endpoint?: string;
  revocation_endpoint?: string;
  userinfo_endpoint?: string;
  code_challenge_methods_supported?: string[];
  authorization_response_iss_parameter_supported?: boolean;
  [key: string]: unknown;
}

export interface RegistryClient {
  client_id: string;
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
  backchannel_logout_uri?: string;
  token_endpoint_auth_method?: string;
  scope?: string;
  ssohub_first_party?: boolean;
  grant_types?: string[];
  [key: string]: unknown;
}

/** Collects check results; each check helper records exactly one result. */
export class Findings {
  readonly checks: CheckResult[] = [];
  private readonly onCheck: ((check: CheckResult) => void) | undefined;

  constructor(onCheck?: (check: CheckResult) => void) {
    this.onCheck = onCheck;
  }

  add(id: string, target: string, title: string, verdict: Verdict, detail: string, why: string, evidence: Evidence[] = []): void {
    const check = { id, target, title, verdict, detail, why, evidence };
    this.checks.push(check);
    this.onCheck?.(check);
  }

  /** Runs a check and turns an unexpected exception into a `fail` with the reason, never a crash. */
  async run(id: string, target: string, title: string, why: string, fn: () => Promise<{ verdict: Verdict; detail: string; evidence?: Evidence[] }>) {
    try {
      const r = await fn();
      this.add(id, target, title, r.verdict, r.detail, why, r.evidence ?? []);
    } catch (err) {
      this.add(id, target, title, 'fail', `The check could not complete: ${(err as Error).message}`, why);
    }
  }
}
