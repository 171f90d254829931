import type { ServerResponse } from 'node:http';
import type { SsoClient } from '../create-sso-client.ts';
import { type AccessTokenVerifier, type AccessTokenVerifierOptions, createAccessTokenVerifier, type VerifiedAccessToken } from '../resource/access-token-verifier.ts';
import type { SsoRequest } from './express-middleware.ts';

/** SsoApiRequest is an Express/Connect request after {@link ssoApiExpress} accepted its bearer token. */
export interface SsoApiRequest extends SsoRequest {
  /** The verified bearer access token. */
  ssoApiToken?: VerifiedAccessToken | null;
}

/** SsoApiExpress is the API guard middleware, with the verifier it uses. */
export interface SsoApiExpress {
  (req: SsoApiRequest, res: ServerResponse, next: (err?: unknown) => void): void;
  /** The verifier the guard checks bearer tokens with. */
  readonly verifier: AccessTokenVerifier;
}

declare global {
  namespace Express {
    interface Request {
      /** The verified bearer access token (set by ssoApiExpress). */
      ssoApiToken?: VerifiedAccessToken | null;
    }
  }
}

/**
 * ssoApiExpress is the resource-server guard of `@ssohub/client` for an app's own API on
 * Express/Connect: it lets a request through only with a bearer access token the hub issued to
 * THIS app (see {@link createAccessTokenVerifier}: introspection with the app's credentials,
 * Bearer `token_type`, this app's `client_id`, not expired; cached a few seconds), and sets
 * `req.ssoApiToken`. A refused token gets 401 with `WWW-Authenticate: Bearer
 * error="invalid_token"`; an unreachable or failing hub gets 503. Build it once and reuse it, so
 * its cache is shared. It needs no other middleware (not even {@link ssoExpress}).
 *
 * @example
 * ```ts
 * const api = ssoApiExpress(await createSsoClient(options), { timeout: 3 });
 * app.get('/api/me', api, (req, res) => res.json({ sub: req.ssoApiToken!.sub }));
 * app.use('/api', api); // or every route under /api
 * ```
 */
export function ssoApiExpress(client: SsoClient, options: AccessTokenVerifierOptions = {}): SsoApiExpress {
  if (!client || typeof client.loadSession !== 'function') throw new TypeError('ssoApiExpress(client): client must be an SsoClient from createSsoClient');
  const verifier = createAccessTokenVerifier(client, options);
  const guard = (req: SsoApiRequest, res: ServerResponse, next: (err?: unknown) => void): void => {
    verifier.check(req.headers.authorization).then((result) => {
      if (result.ok) {
        req.ssoApiToken = result.token;
        next();
        return;
      }
      if (result.error.status >= 500) console.error('ssohub: the hub could not check a bearer token', result.error.cause instanceof Error ? result.error.cause.message : result.error.message);
      res.statusCode = result.response.status;
      for (const [name, value] of Object.entries(result.response.headers)) res.setHeader(name, value);
      res.end(result.response.body);
    }, next);
  };
  return Object.assign(guard, { verifier });
}
