import { type TSchema, Type } from 'typebox';

/**
 * The hub's options, declared once: each option's place in the JSON file (nested keys), its
 * SSOHUB_* variable, its default and a one-line description. The loader rejects every key and
 * every SSOHUB_* variable that is not declared here (config-keys.ts); loadConfig reads the
 * variables declared here; checkConfig and the *-config.ts checkers fill absent options with the
 * defaults declared here (defaults-from-schema.ts); the tables of docs/configuration.md and the
 * editors' JSON Schema docs/ssohub-config.schema.json are written from it (`npm run docs:config`).
 * Values are still checked by checkConfig and the *-config.ts checkers.
 *
 * This module imports nothing of the hub: the checkers depend on it, never the reverse, so the
 * configuration modules import one another without a cycle (issue 24).
 *
 * The schemas are JSON Schema (TypeBox) carrying these extra keywords on each option.
 */
export type OptionMeta = {
  /** One line of Markdown: the "meaning" column of docs/configuration.md. */
  description: string;
  /** What checkConfig fills in when the option is absent: the only place a default is written. */
  default?: unknown;
  /** The docs' default cell when `default` alone cannot say it (required, mode-dependent, none). */
  defaultText?: string;
  /** The SSOHUB_* variable that sets this option, over the file. */
  env?: string;
  /** How the variable's text becomes the value (default: the text itself). */
  envFormat?: EnvFormat;
  /** A secret: `<env>_FILE` names a file holding the value instead. */
  envFile?: boolean;
  /** Shown after the variable in the docs, e.g. "(comma list)". */
  envText?: string;
};

/**
 * - `integer`: digits become a number (anything else is passed on for checkConfig to refuse)
 * - `list`: comma- or newline-separated
 * - `trustProxy`: `true`, `false`, a number or a comma list
 * - `pemFile`: the variable names a file whose text is the value
 * - `jsonFile`: the variable names a JSON file: an array, or an object whose `keys` or `clients` is one
 */
export type EnvFormat = 'integer' | 'list' | 'trustProxy' | 'pemFile' | 'jsonFile';

/** A schema node as walked here: plain JSON Schema plus OptionMeta on options. */
export type SchemaNode = TSchema & Partial<OptionMeta> & {
  type?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: boolean | SchemaNode;
  required?: string[];
  anyOf?: SchemaNode[];
  const?: unknown;
};

const strict = { additionalProperties: false } as const;
const text = (meta: OptionMeta) => Type.String(meta);
const int = (meta: OptionMeta) => Type.Integer(meta);
const list = (meta: OptionMeta) => Type.Array(Type.String(), { envFormat: 'list', ...meta });
const ms = (description: string, value: number) => Type.Integer({ description, default: value });
const count = (description: string, value: number) => Type.Integer({ description, default: value });
/** Lifetimes in seconds (`bridge.ttl`); the other durations are milliseconds. */
const ttl = (description: string, seconds: number) => Type.Integer({ description, default: seconds });
const MINUTE_S = 60;
const DAY_S = 24 * 60 * MINUTE_S;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** One colour scheme of `branding.colors`: CSS colours that override the hub's own variables. */
function colorScheme(scheme: 'light' | 'dark') {
  const color = (what: string) =>
    text({ defaultText: "the hub's", description: `${what} in the ${scheme} scheme: \`#rgb\`, \`#rrggbb\`, \`rgb(…)\` or \`hsl(…)\` (nothing else: the value is written into CSS).` });
  return Type.Object({ accent: color('Buttons, links and focus rings'), background: color('Page background'), text: color('Text') }, strict);
}

export const HUB_CONFIG_SCHEMA = Type.Object(
  {
    mode: Type.Union([Type.Literal('production'), Type.Literal('development')], {
      env: 'SSOHUB_MODE',
      default: 'development',
      description: '`production` refuses: the memory store, an http `publicUrl` or return origin, no `admin.token`, no `bridge.cookieKeys`, no `bridge.signingKeys`.',
    }),
    publicUrl: text({
      env: 'SSOHUB_PUBLIC_URL',
      defaultText: '(required)',
      description: "Origin of the login domain, e.g. `https://login.example.com`. No path. Kratos' `serve.public.base_url` must be this URL.",
    }),
    listen: Type.Object(
      {
        host: text({ env: 'SSOHUB_LISTEN_HOST', default: '0.0.0.0', description: 'Address of the public listener.' }),
        port: int({ env: 'SSOHUB_LISTEN_PORT', envFormat: 'integer', default: 8080, description: 'Port of the public listener.' }),
        tls: Type.Object(
          {
            cert: text({
              env: 'SSOHUB_TLS_CERT_FILE',
              envFormat: 'pemFile',
              envText: '(a path)',
              defaultText: 'none',
              description: 'PEM certificate (chain); with `listen.tls.key`, the hub serves https directly instead of behind a TLS-terminating load balancer.',
            }),
            key: text({ env: 'SSOHUB_TLS_KEY_FILE', envFormat: 'pemFile', envText: '(a path)', defaultText: 'none', description: 'PEM private key of `listen.tls.cert`.' }),
          },
          strict,
        ),
      },
      strict,
    ),
    admin: Type.Object(
      {
        host: text({ env: 'SSOHUB_ADMIN_HOST', default: '127.0.0.1', description: 'Address of the admin listener: `/admin/*`, the web console `/console` and `/metrics`. Keep it private.' }),
        port: int({ env: 'SSOHUB_ADMIN_PORT', envFormat: 'integer', default: 8081, description: 'Port of the admin listener.' }),
        token: text({
          env: 'SSOHUB_ADMIN_TOKEN',
          envFile: true,
          defaultText: 'none',
          description: 'Bearer token of the admin API and the web console\'s sign-in, at least 24 characters, compared in constant time. Without it the admin API refuses everything and the console is disabled.',
        }),
        trustProxy: Type.Union([Type.Boolean(), Type.Integer(), Type.Array(Type.String())], {
          env: 'SSOHUB_ADMIN_TRUST_PROXY',
          envFormat: 'trustProxy',
          envText: '(`false`, a number, or a comma list)',
          default: false,
          description:
            "`trustProxy` for the admin listener alone, checked the same way. Its client IP (the admin token's throttle, audit) is the connection's address unless a proxy of your own fronts that listener: it is reached on loopback or through a tunnel, never through the public listener's proxies, and a client could otherwise write its own X-Forwarded-For.",
        }),
        allowedHosts: list({
          env: 'SSOHUB_ADMIN_ALLOWED_HOSTS',
          envText: '(comma list)',
          default: [],
          description:
            'Host names (no port) the admin listener answers to besides `localhost`, `127.0.0.1`, `[::1]` and `admin.host`; any other `Host` gets 421, so a web page cannot reach the listener by DNS rebinding. List the name a scraper or admin uses, e.g. `hub-1` for a Prometheus on the compose network; a Kubernetes port-forward or SSH tunnel uses `localhost` and needs nothing.',
        }),
        console: Type.Object(
          {
            idleTimeoutMs: ms('A web console session (`/console` on the admin listener) ends after this long without a request. 60000–86400000.', 15 * MINUTE),
            maxAgeMs: ms('A web console session ends this long after sign-in, however busy. 60000–86400000, at least `idleTimeoutMs`.', 8 * HOUR),
          },
          strict,
        ),
      },
      strict,
    ),
    kratos: Type.Object(
      {
        publicUrl: text({ env: 'SSOHUB_KRATOS_PUBLIC_URL', default: 'http://127.0.0.1:4433', description: "Kratos public API on loopback; only the hub's proxy reaches it." }),
        adminUrl: text({ env: 'SSOHUB_KRATOS_ADMIN_URL', default: 'http://127.0.0.1:4434', description: 'Kratos admin API (sessions, identities, readiness).' }),
        configFiles: list({
          env: 'SSOHUB_KRATOS_CONFIG_FILES',
          envText: '(comma list)',
          default: [],
          description: "Kratos' config files in merge order; `ssohub doctor` reads them to tell which database Kratos uses.",
        }),
        sessionCookieName: text({
          env: 'SSOHUB_KRATOS_SESSION_COOKIE',
          // Kratos' own default for its `session.cookie.name`.
          default: 'ory_kratos_session',
          description:
            "Kratos' session cookie (its `session.cookie.name`). The guard tells a successful sign-in from a failed one by this cookie in Kratos' answer: set it whenever Kratos renames the cookie, or every successful sign-in counts toward lockout. `ssohub doctor` compares it with Kratos' config (`kratos.session_cookie`).",
        }),
      },
      strict,
    ),
    store: Type.Object(
      {
        kind: Type.Union([Type.Literal('redis'), Type.Literal('memory')], {
          env: 'SSOHUB_STORE',
          default: 'memory',
          defaultText: '`memory` (`redis` when `SSOHUB_REDIS_URL`, `SSOHUB_REDIS_SENTINELS` or `SSOHUB_REDIS_CLUSTER_NODES` is set)',
          description: 'Where the hub keeps its state. `memory` is for the demo and unit tests and warns at startup; it refuses the other `store` options, which are all Redis options.',
        }),
        url: text({
          env: 'SSOHUB_REDIS_URL',
          envFile: true,
          defaultText: 'none (required for a single Redis)',
          description:
            '`redis://` or `rediss://` URL (ioredis). With Sentinel or Cluster it is optional and only lends its user name, password, database (Sentinel only) and TLS (`rediss://`); its host is not used. The password is masked in every log line and health answer.',
        }),
        prefix: text({
          env: 'SSOHUB_REDIS_PREFIX',
          default: 'ssohub:',
          defaultText: '`ssohub:` (`{ssohub}:` with Cluster)',
          description:
            "Key prefix. With Redis Cluster it must contain a hash tag (e.g. `{ssohub}:`), checked at startup: the guard's and the provider adapter's Lua scripts and transactions touch several keys at once, which Cluster allows only within one hash slot.",
        }),
        sentinels: list({
          env: 'SSOHUB_REDIS_SENTINELS',
          envText: '(comma list of `host:port`)',
          default: [],
          description: 'Find the primary through these Redis Sentinels (failover without restarting the hub). Needs `store.sentinelName`.',
        }),
        sentinelName: text({ env: 'SSOHUB_REDIS_SENTINEL_NAME', defaultText: 'none', description: 'The name the Sentinels monitor the primary under (`sentinel monitor <name> …`).' }),
        sentinelPassword: text({
          env: 'SSOHUB_REDIS_SENTINEL_PASSWORD',
          envFile: true,
          defaultText: 'none',
          description: "Password of the Sentinels themselves (their `requirepass`), if any; the data nodes' password comes from `store.url`.",
        }),
        cluster: list({
          env: 'SSOHUB_REDIS_CLUSTER_NODES',
          envText: '(comma list of `host:port` or `redis://host:port`)',
          default: [],
          description: 'Redis Cluster startup nodes (a few are enough; the rest is discovered). Credentials and TLS come from `store.url`. Cannot be combined with `store.sentinels`.',
        }),
        commandTimeoutMs: int({
          env: 'SSOHUB_REDIS_COMMAND_TIMEOUT_MS',
          envFormat: 'integer',
          default: 1500,
          description:
            "A Redis command without an answer after this long fails, and the request answers 503 instead of hanging (frozen or partitioned Redis). Once one of a request's commands has failed that way, its later commands fail at once, so a request fails within one timeout however often it touches Redis. Codes and refresh tokens are consumed only if Redis runs the consume within this long of the call, by its own clock: keep the hub's and Redis' clocks in sync (decision 0011). 50–60000.",
        }),
        connectTimeoutMs: int({
          env: 'SSOHUB_REDIS_CONNECT_TIMEOUT_MS',
          envFormat: 'integer',
          default: 3000,
          description: 'Opening a connection fails after this long. At startup the hub gives Redis `connectTimeoutMs + commandTimeoutMs` to answer, then exits naming the option to fix. 100–60000.',
        }),
      },
      strict,
    ),
    allowedReturnOrigins: list({
      env: 'SSOHUB_ALLOWED_RETURN_ORIGINS',
      envText: '(comma list)',
      default: [],
      description: "Origins besides the hub that `return_to` may point at (Kratos' `selfservice.allowed_return_urls` must agree).",
    }),
    trustProxy: Type.Union([Type.Boolean(), Type.Integer(), Type.Array(Type.String())], {
      env: 'SSOHUB_TRUST_PROXY',
      envFormat: 'trustProxy',
      envText: '(`false`, a number, or a comma list)',
      default: false,
      description:
        'Which `X-Forwarded-*` hops to believe for the client IP (throttling, lockout, audit) on the public listener: the number of proxies in front of the hub (usually `1`), or their addresses/CIDR ranges. `true` believes whatever a client writes and is refused in production. The admin listener has its own, `admin.trustProxy`.',
    }),
    logLevel: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
      { env: 'SSOHUB_LOG_LEVEL', default: 'info', description: 'pino level. Logs are JSON; secrets, tokens, codes, passwords and cookies are redacted.' },
    ),
    bridge: Type.Object(
      {
        path: text({ default: '/oidc', description: 'Mount path; the issuer is `publicUrl + path`.' }),
        cookieKeys: list({
          env: 'SSOHUB_COOKIE_KEYS',
          envFile: true,
          envText: '(comma list; one per line in the file)',
          default: [],
          defaultText: 'ephemeral in development',
          description: "Keys (≥ 32 characters) signing the provider's cookies. The first signs, all verify: rotate by prepending.",
        }),
        signingKeys: Type.Array(Type.Object({}), {
          env: 'SSOHUB_SIGNING_KEYS_FILE',
          envFormat: 'jsonFile',
          envText: '(JWKS JSON file)',
          default: [],
          defaultText: 'ephemeral ES256 + RS256 in development',
          description:
            "Private JWKs (`kid` unique, `alg` ES256 or RS256, an RS256 key required). The first key per algorithm signs; the others verify until their tokens expire. Each client's ID tokens use its `id_token_signed_response_alg`. Clients onboarded through the admin API or CLI without one get ES256 when an ES256 key is here, else RS256, stored with the client (decision 0008); static clients (`bridge.clients`) and clients onboarded before that default use RS256 unless they name ES256. Keep the ES256 key once clients use it.",
        }),
        clients: Type.Array(Type.Object({}), {
          env: 'SSOHUB_CLIENTS_FILE',
          envFormat: 'jsonFile',
          envText: '(JSON array)',
          default: [],
          description:
            'Static clients (RFC 7591 metadata plus `ssohub_first_party`, `ssohub_access_token_ttl`, `ssohub_refresh_token_ttl`). Validated at startup like clients created through the admin API; both kinds coexist.',
        }),
        ttl: Type.Object(
          {
            accessToken: ttl('Access token lifetime, seconds.', 15 * MINUTE_S),
            authorizationCode: ttl('Authorization code lifetime, seconds (at most 600).', 60),
            idToken: ttl('ID token lifetime, seconds.', 60 * MINUTE_S),
            refreshToken: ttl('Refresh token lifetime, seconds (14 days).', 14 * DAY_S),
            session: ttl('Provider session lifetime, seconds; never beyond its Kratos session.', 14 * DAY_S),
            grant: ttl('Grant lifetime, seconds.', 14 * DAY_S),
            interaction: ttl("How long a sign-in may take between the client's redirect and the code, seconds.", 60 * MINUTE_S),
            clientCredentials: ttl('Client credentials token lifetime, seconds.', 10 * MINUTE_S),
            deviceCode: ttl('Device code lifetime, seconds.', 10 * MINUTE_S),
            backchannelAuthenticationRequest: ttl('CIBA request lifetime, seconds.', 10 * MINUTE_S),
          },
          strict,
        ),
        shortcuts: Type.Boolean({
          default: true,
          description:
            "The bridge's shortcuts: reads shared within a request, writes at the token endpoint sent together, reads started ahead from a token, and Kratos checks reused within a sign-in (docs/architecture.md, \"One request, step by step\"). `false` takes the plain path for each: the same answers, with more Redis round trips and Kratos calls. For diagnosis; the test suite runs both ways.",
        }),
        requireVerifiedEmail: Type.Boolean({
          default: true,
          description:
            "Before the hub completes an app's sign-in, a user whose address (the `email` claim's trait) is not verified verifies it by code, so apps receive `email_verified: true` (decision 0016). On by default, also for deployments that upgrade; `false` lets unverified users through with `email_verified: false`, as before.",
        }),
        claims: Type.Array(Type.Object({ claim: Type.String(), trait: Type.String(), scope: Type.String() }, strict), {
          default: [
            { claim: 'email', trait: 'email', scope: 'email' },
            { claim: 'name', trait: 'name', scope: 'profile' },
          ],
          defaultText: '`email`←`traits.email` (scope `email`), `name`←`traits.name` (scope `profile`)',
          description:
            "Which identity traits become which claims under which scope (`{ claim, trait, scope }` each). `email_verified` comes from Kratos' verifiable addresses; `sub`, `sid`, `acr`, `amr`, `auth_time` from the Kratos session.",
        }),
        backchannel: Type.Object(
          {
            retryDelaysMs: Type.Array(Type.Integer(), {
              default: [1 * SECOND, 5 * SECOND, 30 * SECOND, 2 * MINUTE, 10 * MINUTE],
              description:
                'Retry schedule of failed back-channel logout deliveries (state in the store, so any instance retries). Attempts = retries + 1; after the last one the delivery is abandoned (`bridge.backchannel.abandoned`).',
            }),
            pollIntervalMs: ms('How often an instance looks for due retries and for deliveries whose lease ran out.', 500),
            leaseMs: ms(
              'How long an instance holds a delivery it is attempting (≥ 5000: it must outlast one attempt, which oidc-provider ends after 2.5 s). If the instance dies during the attempt, another one takes the delivery over once the lease has run out (decision 0009); shorter means a faster takeover, and an app may then see a slow logout twice.',
              30 * SECOND,
            ),
          },
          strict,
        ),
      },
      strict,
    ),
    // Durations in milliseconds; docs/decisions/guard-defaults.md weighs each default against
    // Keycloak, Authelia and Logto.
    guard: Type.Object(
      {
        enabled: Type.Boolean({ default: true, description: 'Throttling and lockout on the login domain; `false` turns both off.' }),
        lockout: Type.Object(
          {
            mode: Type.Union([Type.Literal('identifier-ip-first'), Type.Literal('identifier')], {
              default: 'identifier-ip-first',
              description: 'Lock identifier+IP first, the identifier everywhere only past `identifierThreshold`; `identifier` locks per identifier at `threshold`.',
            }),
            threshold: count('Failures (per identifier+IP) within `windowMs` that lock.', 5),
            windowMs: ms('Window of `threshold`.', 15 * MINUTE),
            durationMs: ms('First lock.', 1 * MINUTE),
            growthFactor: Type.Number({ default: 2, description: 'Growth of each further lock within `resetMs` (1–10).' }),
            maxDurationMs: ms('Longest lock.', 15 * MINUTE),
            resetMs: ms('How long the lock level is remembered.', 12 * HOUR),
            identifierThreshold: count('Failures from all IPs within `identifierWindowMs` that lock the identifier everywhere.', 30),
            identifierWindowMs: ms('Window of `identifierThreshold`.', 1 * HOUR),
            identifierDurationMs: ms('First identifier-wide lock.', 5 * MINUTE),
            identifierMaxDurationMs: ms('Longest identifier-wide lock.', 1 * HOUR),
          },
          strict,
        ),
        ip: Type.Object(
          {
            burst: count('Token bucket per IP over all proxied Kratos submissions: its size.', 60),
            perMinute: count('Token bucket per IP: refill per minute.', 60),
            failureThreshold: count('Failed sign-ins of one IP across identifiers within `failureWindowMs` that ban it.', 50),
            failureWindowMs: ms('Window of `failureThreshold`.', 15 * MINUTE),
            banMs: ms('How long an IP past `failureThreshold` is refused.', 15 * MINUTE),
          },
          strict,
        ),
        codes: Type.Object(
          {
            sendsPerAddress: count('Codes mailed per address within `sendWindowMs` (all flows, resends included).', 5),
            sendWindowMs: ms('Window of `sendsPerAddress`.', 1 * HOUR),
            wrongPerFlow: count('Code submissions one flow accepts without success.', 5),
          },
          strict,
        ),
        token: Type.Object(
          {
            ipBurst: count("Token endpoint, per IP: bucket size (a client's server redeems every user's code from one IP).", 600),
            ipPerMinute: count('Token endpoint, per IP: refill per minute.', 600),
            clientBurst: count('Token endpoint, per client_id: bucket size.', 600),
            clientPerMinute: count('Token endpoint, per client_id: refill per minute.', 1200),
          },
          strict,
        ),
        pendingTimeoutMs: ms('How long an attempt in flight holds its slot (what bounds concurrent overshoot to 0).', 30 * SECOND),
      },
      strict,
    ),
    // Theming (issue 20): checked and read at startup by branding/branding-config.ts.
    branding: Type.Object(
      {
        productName: text({ env: 'SSOHUB_BRANDING_PRODUCT_NAME', default: 'SSO Hub', description: 'Name shown in the header, the page titles (`Sign in · <name>`) and the default footer. 1–60 characters.' }),
        logo: text({
          env: 'SSOHUB_BRANDING_LOGO',
          envText: '(a path or URL)',
          defaultText: 'none (a coloured square)',
          description:
            'Logo beside the product name: a file path (SVG, PNG or WebP, at most 256 KiB, read at startup and served at `/assets/logo-<hash>.<ext>`) or an `https://` URL, whose origin alone is then added to the CSP `img-src` (`http://` only in development).',
        }),
        colors: Type.Object(
          {
            light: colorScheme('light'),
            dark: colorScheme('dark'),
          },
          strict,
        ),
        stylesheet: text({
          env: 'SSOHUB_BRANDING_STYLESHEET',
          envText: '(a path)',
          defaultText: 'none',
          description: "Path of an extra stylesheet (at most 256 KiB), read at startup, served at `/assets/branding-<hash>.css` and linked after the hub's own.",
        }),
        footer: Type.Union([Type.String(), Type.Array(Type.Object({ text: Type.String(), href: Type.String() }, strict))], {
          env: 'SSOHUB_BRANDING_FOOTER',
          envText: '(plain text)',
          defaultText: '`Protected by <productName>. One sign-in for every app.`, in the page’s language',
          description: 'Footer of every page: plain text (at most 200 characters, shown as text, never HTML) or up to 6 links `{ "text": …, "href": "https://…" }`. The language picker follows it.',
        }),
        frameTemplate: text({
          env: 'SSOHUB_BRANDING_FRAME_TEMPLATE',
          envText: '(a path)',
          defaultText: "none (the hub's frame)",
          description:
            'Path of an HTML file (at most 256 KiB, read and checked at startup) that replaces the frame around every page. Placeholders, filled and escaped by the hub: `{{head}}` and `{{main}}` (each required exactly once), `{{lang}}`, `{{dir}}`, `{{title}}`, `{{productName}}`, `{{skipLink}}`, `{{header}}`, `{{footer}}`, `{{languagePicker}}`. Refused at startup: an unknown placeholder, `<script>`, `<style>`, `<base>`, `javascript:` URLs, inline event handlers (`onclick=`…) and `style` attributes (the CSP forbids them). See "Frame template" in docs/configuration.md.',
        }),
      },
      strict,
    ),
    // Issue 21: checked by password/password-policy-config.ts; Kratos enforces the length.
    passwordPolicy: Type.Object(
      {
        minLength: int({
          env: 'SSOHUB_PASSWORD_MIN_LENGTH',
          envFormat: 'integer',
          default: 12,
          description:
            "Shortest password accepted at registration, in settings and after recovery, 8–64. Kratos enforces it: `ssohub kratos config` writes it into the site file as Kratos' `selfservice.methods.password.config.min_password_length`, so write the site file again after changing it. Passwords on the shipped list of common and breached passwords are refused whatever their length.",
        }),
      },
      strict,
    ),
    // Issue 21: checked by upstream/upstream-logos-config.ts; the providers are Kratos' (`ssohub kratos config --upstream-providers`).
    upstreamLogos: Type.Array(Type.Object({ provider: Type.String(), logo: Type.String() }, strict), {
      default: [],
      defaultText: 'none (each button shows the initial of the provider\'s name)',
      description:
        'Logos of the upstream identity providers\' sign-in buttons: `provider` is the provider id (the `id` in `ssohub kratos config --upstream-providers`), e.g. `[{ "provider": "corp", "logo": "https://idp.corp.example/logo.svg" }]`; `logo` is an `https://` URL, whose origin alone is added to the CSP `img-src` of the pages that show it (`http://` only in development), or a `data:image/…;base64,` URL of at most 64 KiB. See docs/upstream-providers.md.',
    }),
    shutdown: Type.Object(
      {
        drainMs: int({
          env: 'SSOHUB_SHUTDOWN_DRAIN_MS',
          envFormat: 'integer',
          defaultText: '`5000` in production, `0` in development',
          description:
            "After SIGTERM/SIGINT, `/health/ready` answers 503 `shutting-down` and every response says `Connection: close`, while requests are still served for this long; then the listeners close. Make it at least the interval at which your proxy checks readiness (Caddy's `health_interval`, 5 s in `deploy/compose/Caddyfile`). Must be less than `shutdown.timeoutMs`.",
        }),
        timeoutMs: int({
          env: 'SSOHUB_SHUTDOWN_TIMEOUT_MS',
          envFormat: 'integer',
          default: 10_000,
          description:
            "Deadline for the whole shutdown, drain included: past it the process logs `hub did not shut down within shutdown.timeoutMs` and exits 1. Keep it below your supervisor's grace period (Kubernetes `terminationGracePeriodSeconds` minus the preStop sleep; systemd `TimeoutStopSec`). 100–600000.",
        }),
      },
      strict,
    ),
  },
  strict,
) as unknown as SchemaNode;

/** Keys accepted at the top of the file besides the options: `$schema` lets an editor find a JSON Schema for the file. */
export const IGNORED_TOP_LEVEL_KEYS: readonly string[] = ['$schema'];

/** Variables read outside loadConfig by the hub's processes, documented with the options. */
export const PROCESS_VARIABLES: readonly { env: string; defaultText: string; description: string }[] = [
  {
    env: 'SSOHUB_WORKERS',
    defaultText: 'cores (`os.availableParallelism()`)',
    description: 'Read by `cluster.ts` only: worker processes, 1–64. `1` runs the hub in the started process.',
  },
];

/**
 * SSOHUB_* variables that are not the hub's options but may share its environment (the hub
 * accepts and ignores them): set by the hub for itself, read by the CLI, the deployment files
 * (compose's .env), the Kratos build and the test kits.
 */
export const OTHER_VARIABLES: readonly string[] = [
  // cluster.ts, for its own workers
  'SSOHUB_WORKER_INDEX',
  'SSOHUB_REEXECUTED',
  // the CLI (docs/cli.md)
  'SSOHUB_ADMIN_URL',
  'SSOHUB_AUDIT_TEST_USER',
  'SSOHUB_AUDIT_CHROMIUM_ARGS',
  // deploy/compose/.env (docs/deploy.md)
  'SSOHUB_DOMAIN',
  'SSOHUB_APP_ORIGINS',
  'SSOHUB_UPSTREAMS',
  'SSOHUB_HUB_IMAGE',
  'SSOHUB_KRATOS_IMAGE',
  // deploy/compose/tracing.yml: one sampling ratio for the hubs' OTEL_TRACES_SAMPLER_ARG and Kratos'
  'SSOHUB_TRACES_SAMPLING_RATIO',
  // the client apps of the integration recipes (docs/integrations)
  'SSOHUB_ISSUER',
  // deploy/kratos/build.sh
  'SSOHUB_KRATOS_BIN',
  // bench/peer/hydra/build.sh (npm run bench:peer)
  'SSOHUB_HYDRA_BIN',
  'SSOHUB_CACHE_DIR',
  // the test kit
  'SSOHUB_CHROMIUM',
];

/** Prefixes of variables that belong to tests (SSOHUB_TEST_REDIS_URL, SSOHUB_TEST_LOG, …). */
export const OTHER_VARIABLE_PREFIXES: readonly string[] = ['SSOHUB_TEST_'];

/** One option of the schema: its dotted path and its schema node (with OptionMeta). */
export interface SchemaOption {
  path: string;
  schema: SchemaNode;
}

/**
 * Every option, in declaration order: each node that carries a description. Objects are walked
 * into; an option's own children (the items of `bridge.claims`) are not options of their own.
 */
export function schemaOptions(node: SchemaNode = HUB_CONFIG_SCHEMA, prefix = ''): SchemaOption[] {
  const out: SchemaOption[] = [];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (child.description !== undefined) out.push({ path, schema: child });
    else if (isObjectSchema(child)) out.push(...schemaOptions(child, path));
    else throw new Error(`config-schema: ${path} has no description`);
  }
  return out;
}

/** An object node whose keys are declared (`Type.Object({...})` with at least one property). */
export function isObjectSchema(node: SchemaNode): boolean {
  return node.type === 'object' && node.properties !== undefined && Object.keys(node.properties).length > 0;
}
