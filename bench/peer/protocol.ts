/** Messages between bench/peer.ts and its load driver (bench/peer/driver.ts) over the fork IPC channel. */
import type { ClientSpec, RunStats } from '../protocol.ts';

export type Stack = 'hub' | 'hydra';
export type PeerOperation = 'sso-hop' | 'refresh' | 'client-credentials' | 'signin';

/** One OpenID provider as the driver sees it. */
export interface StackSetup {
  /** The issuer as the provider names itself (Hydra's ends with a slash). */
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  /** Scope of the user clients: Hydra issues a refresh token only for offline_access. */
  scope: string;
  /** Signs users in for the first time (password) and is the SSO-hop client afterwards too. */
  user: ClientSpec;
  service: { id: string; secret: string };
  /** The client_credentials request's audience parameter: `resource` (RFC 8707, hub) or `audience` (Hydra). */
  audienceParam: 'resource' | 'audience';
  audience: string;
}

export interface PeerSetup {
  kratosPublicUrl: string;
  stacks: Record<Stack, StackSetup>;
  users: { email: string; password: string }[];
}

export interface PeerRunSpec {
  stack: Stack;
  operation: PeerOperation;
  concurrency: number;
  durationMs: number;
}

export type PeerMessage = { type: 'setup'; setup: PeerSetup } | { type: 'run'; spec: PeerRunSpec } | { type: 'exit' };

/** The driver's figures of one run: bench/protocol.ts' RunStats, named by operation. */
export type PeerRunStats = Omit<RunStats, 'scenario'> & { operation: PeerOperation };

export type PeerReply = { type: 'ready'; users: number } | { type: 'result'; stats: PeerRunStats } | { type: 'error'; message: string };
