import type { BridgeConfig } from '../bridge/bridge-config.ts';
import type { GuardConfig } from '../guard/guard-config.ts';

/** Kratos' own default for `session.cookie.name` (the default of kratos.sessionCookieName). */
export const KRATOS_DEFAULT_SESSION_COOKIE = 'ory_kratos_session';

/** Where the hub keeps its state. Memory is for the demo and unit tests only. */
export type StoreConfig = { kind: 'redis'; url: string; prefix: string } | { kind: 'memory' };

/**
 * HubConfig is the validated, frozen configuration of one hub instance. Produced only by
 * checkConfig(), so every value here has already been checked.
 */
export interface HubConfig {
  /** production refuses the memory store, http issuers and a missing admin token. */
  mode: 'production' | 'development';
  /** Origin of the central login domain, e.g. https://login.example.com (no path, no trailing slash). */
  publicUrl: string;
  listen: { host: string; port: number; tls: { cert: string; key: string } | undefined };
  admin: { host: string; port: number; token: string | undefined };
  kratos: {
    /** Kratos public API on loopback; browsers reach it only through the hub's proxy. */
    publicUrl: string;
    /** Kratos admin API on loopback; never exposed. */
    adminUrl: string;
    /** Kratos config files, in the order Kratos merges them (read by `ssohub doctor`). */
    configFiles: string[];
    /**
     * Name of Kratos' session cookie (Kratos' `session.cookie.name`). The guard recognizes a
     * successful sign-in by it: a wrong name counts every success as a failure toward lockout.
     */
    sessionCookieName: string;
  };
  store: StoreConfig;
  /** Origins (besides the hub) that Kratos flows and `return_to` may send the browser back to. */
  allowedReturnOrigins: string[];
  /**
   * Which X-Forwarded-* hops to believe: a number of proxies in front of the hub (the usual
   * case: 1), a list of proxy addresses or CIDR ranges, or false. `true` believes any client-sent
   * X-Forwarded-For, which lets a client pick its own IP for throttling: development only.
   */
  trustProxy: boolean | number | string[];
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  bridge: BridgeConfig;
  guard: GuardConfig;
}

/** What callers pass in: any subset; checkConfig fills defaults and validates. */
export type HubConfigInput = DeepPartial<HubConfig>;

export type DeepPartial<T> = T extends readonly (infer U)[]
  ? U[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;
