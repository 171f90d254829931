/** Messages between bench/run.ts and the load driver (bench/load-driver.ts) over the fork IPC channel. */

export type Scenario = 'sso-hop' | 'refresh' | 'introspection' | 'discovery' | 'jwks' | 'signin-hub' | 'signin-kratos';

export interface ClientSpec {
  id: string;
  secret: string;
  redirectUri: string;
}

export interface Setup {
  issuer: string;
  kratosPublicUrl: string;
  /** a: first sign-ins; b: SSO hops, refresh, introspection; es: like b, with ES256 ID tokens. */
  clients: { a: ClientSpec; b: ClientSpec; es: ClientSpec };
  users: { email: string; password: string }[];
}

export interface RunSpec {
  scenario: Scenario;
  concurrency: number;
  durationMs: number;
  maxOps: number;
  /** Operations per second (open loop); closed loop when absent. */
  rate?: number;
  /** The client of SSO hops (default b); refreshes use the client that issued the user's token. */
  client?: 'b' | 'es';
}

export interface RunStats {
  scenario: Scenario;
  ops: number;
  errors: number;
  errorSamples: string[];
  elapsedMs: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface SdkSpec {
  issuer: string;
  clientId: string;
  clientSecret: string;
  baseUrl: string;
  redirectUri: string;
  redisUrl: string;
  keyPrefix: string;
  iterations: number;
}

export interface SdkStats {
  iterations: number;
  /** p50/p95/p99 in ms of app.inject() with a session cookie, with the SDK plugin. */
  withSdk: [number, number, number];
  /** The same route on a Fastify app without the SDK. */
  bare: [number, number, number];
  /** client.loadSession() alone. */
  loadSession: [number, number, number];
  /** CPU seconds of the app process per 1,000 requests with the SDK. */
  cpuPer1000: number;
  opsPerSecond: number;
}

/**
 * First sign-ins in pairs, one at a time: each pair signs a user in straight at Kratos and
 * another through the hub, back to back (which goes first alternates). The machine's speed drifts
 * by 15-20% within minutes (docs/benchmarks.md), which two rows measured one after the other
 * cannot tell from the hub's overhead; within a pair it is the same for both.
 */
export interface PairSpec {
  durationMs: number;
  maxPairs: number;
}

export interface PairStats {
  pairs: number;
  errors: number;
  errorSamples: string[];
  /** p50/p95/p99 in ms. */
  direct: [number, number, number];
  hub: [number, number, number];
  /** Per pair, the sign-in through the hub minus the one straight at Kratos. */
  added: [number, number, number];
  /** Each request of a sign-in (`kratos` or `hub`, method, path without ids): p50 ms of its time per sign-in. */
  steps: { name: string; p50: number }[];
}

export type DriverMessage =
  | { type: 'setup'; setup: Setup }
  | { type: 'run'; spec: RunSpec }
  | { type: 'pairs'; spec: PairSpec }
  | { type: 'sdk'; sdk: SdkSpec }
  | { type: 'exit' };

export type DriverReply =
  | { type: 'ready'; users: number }
  | { type: 'result'; stats: RunStats }
  | { type: 'pairs'; stats: PairStats }
  | { type: 'sdk'; stats: SdkStats }
  | { type: 'error'; message: string };
