import { CheckCannotRun } from './audit-http.ts';
import { checkInfo } from './check-catalogue.ts';
import type { CheckResult, Evidence, FindingTable, Severity, Verdict } from './report.ts';

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
  /** `--browser`: the live checks sign in with headless Chromium rather than the audit's HTTP client. */
  browser?: boolean;
  /** Check ids (or id prefixes ending in `.`, e.g. `app.backchannel.`) not to run; they are reported as skipped. */
  skip?: string[];
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
  /**
   * A path that needs the app's browser session (answers 2xx signed in, 401 or a redirect to
   * sign-in when not), for the logout proof; default /account.
   */
  sessionPath?: string;
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

/** What a check found; `severity` only when this finding is milder or worse than the check's own. */
export interface Outcome {
  verdict: Verdict;
  detail: string;
  evidence?: Evidence[];
  severity?: Severity;
  /** For `inconclusive`: what to give or fix so the check can run. */
  howToRun?: string;
  urls?: string[];
  table?: FindingTable;
  durationMs?: number;
}

/** Collects check results; each check helper records exactly one result per check and target. */
export class Findings {
  readonly checks: CheckResult[] = [];
  private readonly onCheck: ((check: CheckResult) => void) | undefined;
  private readonly skip: string[];

  constructor(onCheck?: (check: CheckResult) => void, skip: string[] = []) {
    this.onCheck = onCheck;
    this.skip = skip;
  }

  /** True when `--skip` names this check (its id, or a prefix ending in a dot). */
  skipped(id: string): boolean {
    return this.skip.some((s) => s === id || (s.endsWith('.') && id.startsWith(s)));
  }

  add(id: string, target: string, title: string, verdict: Verdict, detail: string, why: string, evidence: Evidence[] = [], extra: Omit<Outcome, 'verdict' | 'detail' | 'evidence'> = {}): void {
    const skipped = this.skipped(id);
    const check: CheckResult = {
      id,
      target,
      title,
      verdict: skipped ? 'skipped' : verdict,
      severity: extra.severity ?? checkInfo(id).severity,
      detail: skipped ? 'turned off with --skip' : detail,
      ...(!skipped && extra.howToRun ? { howToRun: extra.howToRun } : {}),
      why,
      ...(extra.urls?.length ? { urls: extra.urls } : {}),
      ...(!skipped && extra.table ? { table: extra.table } : {}),
      ...(!skipped && extra.durationMs !== undefined ? { durationMs: extra.durationMs } : {}),
      evidence: skipped ? [] : evidence,
    };
    this.checks.push(check);
    this.onCheck?.(check);
  }

  /**
   * Runs a check. An exception is never a finding about the deployment: it makes the check
   * `inconclusive`, with the reason and (for a `CheckCannotRun`) how to make it run.
   */
  async run(id: string, target: string, title: string, why: string, fn: () => Promise<Outcome>): Promise<void> {
    if (this.skipped(id)) {
      this.add(id, target, title, 'skipped', '', why);
      return;
    }
    const started = performance.now();
    try {
      const r = await fn();
      this.add(id, target, title, r.verdict, r.detail, why, r.evidence ?? [], { durationMs: Math.round(performance.now() - started), ...r });
    } catch (err) {
      this.add(id, target, title, 'inconclusive', `The check could not complete: ${(err as Error).message}`, why, [], {
        howToRun: err instanceof CheckCannotRun ? err.howToRun : 'Fix what the detail names and run the audit again.',
        durationMs: Math.round(performance.now() - started),
      });
    }
  }
}
