/**
 * Owns what the OIDC provider offers the rest of the hub (admin API, login pages), as one
 * interface: ending sessions so that logout reaches every client app, and revoking what a deleted
 * client holds.
 */
import type { FastifyInstance } from 'fastify';
import type Provider from 'oidc-provider';
import type { BackchannelDeliveries } from './logout/backchannel-deliveries.ts';
import type { AccountApp, AppRevocation } from './sessions/account-apps.ts';

export interface Bridge {
  /** `${publicUrl}${bridge.path}`, e.g. https://login.example.com/oidc. */
  issuer: string;
  /** The oidc-provider instance (for the hub's own diagnostics; clients come from the registry). */
  provider: Provider;
  /** The token endpoint's path on the login domain (bridge.path and the provider's route). */
  tokenPath: string;
  /**
   * Adds the bridge's routes to the public listener (the provider under bridge.path, the
   * interaction pages) and starts back-channel delivery. Called once.
   */
  register(app: FastifyInstance): Promise<void>;
  /**
   * Ends every provider session bound to the Kratos session, sends back-channel logout to every
   * client that took part, and revokes the Kratos session itself.
   */
  endKratosSession(kratosSessionId: string, reason: string): Promise<void>;
  /**
   * The provider sessions bound to each Kratos session of an identity, and the clients each one
   * reached (for the admin API's session map).
   */
  listBindings(identityId: string): Promise<SessionBinding[]>;
  /**
   * Signs a back-channel logout token for a client with the provider's own keys, exactly as a
   * real logout would (typ logout+jwt, iss, aud, iat, exp, jti, events, sid and/or sub), without
   * sending it. The isolation audit uses it to probe a client app's back-channel endpoint.
   */
  mintLogoutToken(clientId: string, target: { sid?: string; sub?: string }): Promise<string>;
  /**
   * Revokes everything a client was issued (for a client just deleted from the registry): every
   * live grant of it, with its codes, access tokens and refresh tokens. Returns the number of
   * grants revoked.
   */
  revokeClient(clientId: string): Promise<number>;
  /**
   * The client apps holding a grant for an identity, through its provider sessions or a grant that
   * outlived them (the account page, issue #20).
   */
  listAccountApps(identityId: string): Promise<AccountApp[]>;
  /**
   * Revokes one app's grants, tokens and session authorizations for an identity and sends that app
   * a back-channel logout for each live session. Returns how many provider sessions had the app
   * plus how many grants of it had outlived theirs: 0 when the app held nothing.
   */
  revokeAccountApp(identityId: string, clientId: string, reason: string): Promise<AppRevocation>;
  /**
   * The client app an interaction was started by, as the client registry describes it (never from
   * anything the browser sent), for the sign-in pages to name it (issue #20). Undefined when the
   * interaction is missing or expired, or its client is no longer registered.
   */
  clientOfInteraction(uid: string): Promise<ClientDisplay | undefined>;
  /**
   * The back-channel logout deliveries still queued and those given up, with "retry now" (the
   * console and the admin API, issue #27).
   */
  backchannelDeliveries: BackchannelDeliveries;
  close(): Promise<void>;
}

/** What the sign-in and consent pages show of a client app (its registered metadata). */
export interface ClientDisplay {
  clientId: string;
  /** client_name, else the client_id. */
  name: string;
  clientUri?: string | undefined;
  /** logo_uri (https only by registration): pages that show it allow its origin in their CSP. */
  logoUri?: string | undefined;
  policyUri?: string | undefined;
  tosUri?: string | undefined;
}

export interface SessionBinding {
  kratosSessionId: string;
  /** oidc-provider's session uid. */
  providerSessionUid: string;
  accountId: string;
  /** Epoch seconds of the sign-in. */
  authTime: number | undefined;
  clients: { clientId: string; sid: string; grantId: string | undefined }[];
}
