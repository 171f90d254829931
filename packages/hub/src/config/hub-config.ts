import type { BrandingConfig } from '../branding/branding-config.ts';
import type { BridgeConfig } from '../bridge/bridge-config.ts';
import type { ConsoleConfig } from '../console/console-config.ts';
import type { GuardConfig } from '../guard/guard-config.ts';
import type { ShutdownConfig } from '../http/shutdown-config.ts';
import type { PasswordPolicyConfig } from '../password/password-policy-config.ts';
import type { UpstreamLogos } from '../upstream/upstream-logos-config.ts';
import type { DeepPartial } from './deep-partial.ts';
import { defaultsFromSchema } from './defaults-from-schema.ts';

/** Kratos' own default for `session.cookie.name`: the default of kratos.sessionCookieName. */
export const KRATOS_DEFAULT_SESSION_COOKIE = defaultsFromSchema('kratos.sessionCookieName') as string;

/** Where the hub keeps its state. Memory is for the demo and unit tests only. */
export type StoreConfig = RedisStoreConfig | { kind: 'memory' };

/**
 * Redis as one server (`url`), as a primary found through Sentinel (`sentinels` + `sentinelName`)
 * or as a Cluster (`cluster`). With Sentinel or Cluster, `url` is optional and only lends its
 * credentials, database (Sentinel only) and TLS (`rediss://`); its host is not used.
 */
export interface RedisStoreConfig {
  kind: 'redis';
  /** The server (standalone), or '' when Sentinel/Cluster is used without credentials. */
  url: string;
  /** Key prefix; hash-tagged (`{ssohub}:`) under Cluster, so each script's keys share one slot. */
  prefix: string;
  /** Sentinel addresses (`host:port`); empty unless the primary is found through Sentinel. */
  sentinels: string[];
  /** The primary's name in Sentinel (`sentinel monitor <name> …`); '' without Sentinel. */
  sentinelName: string;
  /** Password of the Sentinels themselves (their `requirepass`), if they have one. */
  sentinelPassword: string | undefined;
  /** Cluster startup nodes (`host:port` or redis:// URLs); empty unless Redis is a Cluster. */
  cluster: string[];
  /** A command without an answer after this long fails, so a frozen Redis cannot hang requests. */
  commandTimeoutMs: number;
  /** Opening a connection (TCP and TLS) fails after this long. */
  connectTimeoutMs: number;
}

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
  admin: {
    host: string;
    port: number;
    token: string | undefined;
    /**
     * `trustProxy` of the admin listener (false by default): it is reached on loopback or through
     * a tunnel, so X-Forwarded-For there is whatever the client wrote.
     */
    trustProxy: boolean | number | string[];
    /** Host names the admin listener answers to besides loopback's and `host` (lower case; DNS rebinding). */
    allowedHosts: string[];
    /** The web console's sessions (console/console-config.ts). */
    console: ConsoleConfig;
  };
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
  /** Product name, logo, colours, extra stylesheet and footer of the pages (issue 20). */
  branding: BrandingConfig;
  /** New passwords: the minimum length Kratos enforces (issue 21). */
  passwordPolicy: PasswordPolicyConfig;
  /** Logos of the upstream identity providers' buttons, by Kratos provider id (issue 21). */
  upstreamLogos: UpstreamLogos;
  shutdown: ShutdownConfig;
}

/** What callers pass in: any subset; checkConfig fills defaults and validates. */
export type HubConfigInput = DeepPartial<HubConfig>;
