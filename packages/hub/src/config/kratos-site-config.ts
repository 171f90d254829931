/**
 * What Kratos must be told about the site it serves behind the hub, as one object: the "site
 * file" merged after deploy/kratos/kratos.yml (`kratos serve -c kratos.yml -c site.yml`). The CLI's
 * `ssohub kratos config` writes it for deployments and the test kit for every Kratos it starts,
 * so both get the same URLs, return-URL allow-list and courier settings.
 */

import type { TracingSettings } from '../tracing/tracing-settings.ts';

/** Kratos' `secrets.cipher` keys are used as XChaCha20-Poly1305 / AES-256 keys: exactly 32 bytes. */
export const KRATOS_CIPHER_SECRET_LENGTH = 32;

export interface KratosSiteInput {
  /** The hub's public URL: Kratos' `serve.public.base_url`, and where every flow's UI lives. */
  hubUrl: string;
  /** Where Kratos listens. The public API is reached only by the hub's proxy. */
  publicListen: { host: string; port: number };
  adminListen: { host: string; port: number };
  /** How the hub (and nothing public) reaches Kratos' admin API. */
  adminBaseUrl: string;
  dsn: string;
  /** Origins besides the hub that `return_to` may name (the hub's allowedReturnOrigins). */
  allowedReturnOrigins: readonly string[];
  smtp: { connectionUri: string; fromAddress: string };
  secrets: { cookie: readonly string[]; cipher: readonly string[] };
  identitySchemaUrl: string;
  /** Kratos' `session.cookie.name`; written only when the hub is told another name than Kratos' default. */
  sessionCookieName?: string | undefined;
  /**
   * The hub's tracing (OTEL_*, tracing/tracing-settings.ts): when on, Kratos' own tracing goes to
   * the same collector, so its spans join the hub's traces (kratosTracing).
   */
  tracing?: TracingSettings | undefined;
}

export function buildKratosSiteConfig(o: KratosSiteInput): Record<string, unknown> {
  const hub = o.hubUrl.replace(/\/+$/, '');
  // Kratos matches return_to by scheme, host and path prefix: a trailing slash allows every path.
  const slash = (u: string) => `${u.replace(/\/+$/, '')}/`;
  return {
    dsn: o.dsn,
    serve: {
      public: { host: o.publicListen.host, port: o.publicListen.port, base_url: `${hub}/` },
      admin: { host: o.adminListen.host, port: o.adminListen.port, base_url: slash(o.adminBaseUrl) },
    },
    selfservice: {
      default_browser_return_url: `${hub}/`,
      allowed_return_urls: [`${hub}/`, ...o.allowedReturnOrigins.map(slash)],
      methods: webAuthnMethods(hub),
      flows: {
        error: { ui_url: `${hub}/error` },
        login: { ui_url: `${hub}/login` },
        registration: { ui_url: `${hub}/registration` },
        verification: { ui_url: `${hub}/verification`, after: { default_browser_return_url: `${hub}/` } },
        recovery: { ui_url: `${hub}/recovery` },
        settings: { ui_url: `${hub}/settings` },
        logout: { after: { default_browser_return_url: `${hub}/login` } },
      },
    },
    ...(o.sessionCookieName ? { session: { cookie: { name: o.sessionCookieName } } } : {}),
    identity: { default_schema_id: 'person', schemas: [{ id: 'person', url: o.identitySchemaUrl }] },
    courier: { smtp: { connection_uri: o.smtp.connectionUri, from_address: o.smtp.fromAddress } },
    secrets: { cookie: [...o.secrets.cookie], cipher: [...o.secrets.cipher] },
    ...(o.tracing ? { tracing: kratosTracing(o.tracing) } : {}),
  };
}

/**
 * Kratos' `tracing:` for the hub's collector. Kratos v1.3.1 exports OTLP over HTTP (protobuf) to
 * `host:port` and always to the path /v1/traces; TLS unless `insecure`. Its sampler follows the
 * caller's decision (parent-based), so its ratio only decides for the traces Kratos starts itself
 * (the courier, health checks): the hub's, for the same share.
 */
export function kratosTracing(t: TracingSettings): Record<string, unknown> {
  const url = new URL(t.endpoint);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const ratio = 'ratio' in t.sampler ? t.sampler.ratio : t.sampler.kind.endsWith('always_off') ? 0 : 1;
  return {
    provider: 'otel',
    service_name: 'ssohub-kratos',
    providers: { otlp: { server_url: `${url.hostname}:${port}`, insecure: url.protocol === 'http:', sampling: { sampling_ratio: ratio } } },
  };
}

/**
 * Passkeys and security keys are bound to the hub's host (the relying party id) and accepted only
 * from pages of the hub's origin: the browser signs for the host it shows, never for Kratos'.
 */
function webAuthnMethods(hub: string): Record<string, unknown> {
  const { hostname, origin } = new URL(hub);
  const rp = { id: hostname, origins: [origin] };
  return { passkey: { config: { rp } }, webauthn: { config: { rp } } };
}
