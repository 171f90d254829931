/**
 * Bridge is what the OIDC provider offers the rest of the hub (admin API, login pages): ending
 * sessions so that logout reaches every client app.
 */
export interface Bridge {
  issuer: string;
  /**
   * Ends every provider session bound to the Kratos session, sends back-channel logout to every
   * client that took part, and revokes the Kratos session itself.
   */
  endKratosSession(kratosSessionId: string, reason: string): Promise<void>;
  close(): Promise<void>;
}
