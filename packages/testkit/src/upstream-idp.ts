import { createServer, type Server } from 'node:https';
import Provider, { type ClientMetadata, type Configuration } from 'oidc-provider';
import { freePort } from './free-port.ts';

const LOGO_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="24" height="24"><rect width="24" height="24" rx="5" fill="#0a7d5a"/><path d="M7 12h10M12 7v10" stroke="#fff" stroke-width="3"/></svg>';

/** The person the upstream provider signs in: change the fields between steps of a test. */
export interface UpstreamUser {
  sub: string;
  email: string;
  name: string;
  email_verified: boolean;
}

export interface UpstreamIdp {
  /** https://<host>:<port>, the issuer Kratos discovers. */
  issuer: string;
  /** An SVG logo the provider serves, for the hub's upstreamLogos. */
  logoUrl: string;
  clientId: string;
  clientSecret: string;
  user: UpstreamUser;
  /** How many times the provider signed someone in (each one an authorization code issued). */
  readonly signIns: number;
  stop(): Promise<void>;
}

export interface UpstreamIdpOptions {
  /** Its own host name, never the hub's; must be covered by the test certificate (`*.test`). */
  host?: string;
  certPem: string;
  keyPem: string;
  /**
   * Kratos' callback URLs on the hub: https://<hub>/self-service/methods/oidc/callback/<id>.
   * May be added to until the first request (the hub's port is often known only later).
   */
  redirectUris: string[];
  user?: Partial<UpstreamUser>;
}

/**
 * A separate OpenID provider (a corporate directory, say) for tests of the hub's upstream
 * sign-in: real discovery, authorization code flow with PKCE and client_secret authentication,
 * signed ID tokens and userinfo. Whoever reaches its authorization endpoint is signed in as
 * `user` at once and consent is implied: the test is about the hub and Kratos, not this login UI.
 */
export async function startUpstreamIdp(options: UpstreamIdpOptions): Promise<UpstreamIdp> {
  const host = options.host ?? 'idp-corp.test';
  const port = await freePort();
  const issuer = `https://${host}:${port}`;
  const clientId = 'ssohub-login';
  const clientSecret = `upstream-secret-${port}-0123456789abcdef`;
  const user: UpstreamUser = { sub: 'corp-0001', email: 'ada.corp@corp.test', name: 'Ada Corp', email_verified: true, ...options.user };
  let signIns = 0;

  const configuration: Configuration = {
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: false } },
    async findAccount(_ctx, id) {
      if (id !== user.sub) return undefined;
      return { accountId: id, claims: async () => ({ sub: user.sub, email: user.email, email_verified: user.email_verified, name: user.name }) };
    },
    // Consent is implied: every scope the client asks for is granted.
    async loadExistingGrant(ctx) {
      const session = ctx.oidc.session;
      const client = ctx.oidc.client;
      if (!session?.accountId || !client) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope(String(ctx.oidc.params?.scope ?? 'openid'));
      grant.addOIDCClaims(['sub', 'email', 'email_verified', 'name']);
      await grant.save();
      return grant;
    },
    cookies: { keys: [`upstream-cookie-key-${port}-0123456789`] },
    pkce: { required: () => false },
  };
  // Built at the first request, so redirect URIs added after the start count.
  let built: { provider: Provider; callback: ReturnType<Provider['callback']> } | undefined;
  const build = () => {
    if (built) return built;
    const client: ClientMetadata = {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [...options.redirectUris],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    };
    const provider = new Provider(issuer, { ...configuration, clients: [client] });
    provider.on('authorization_code.saved', () => {
      signIns++;
    });
    built = { provider, callback: provider.callback() };
    return built;
  };
  const server: Server = createServer({ cert: options.certPem, key: options.keyPem }, (req, res) => {
    if (req.url === '/logo.svg') {
      res.writeHead(200, { 'content-type': 'image/svg+xml', 'cross-origin-resource-policy': 'cross-origin' });
      res.end(LOGO_SVG);
      return;
    }
    const { provider, callback } = build();
    if (req.url?.startsWith('/interaction/')) {
      // The sign-in page of a real directory: here it signs `user` in without asking.
      provider
        .interactionFinished(req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false })
        .catch((err: unknown) => {
          res.statusCode = 500;
          res.end(String(err));
        });
      return;
    }
    callback(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    issuer,
    logoUrl: `${issuer}/logo.svg`,
    clientId,
    clientSecret,
    user,
    get signIns() {
      return signIns;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
