/**
 * `@ssohub/hub/config`: how the hub reads and validates its configuration, for tools that must
 * agree with it (the CLI's generators) without loading the server (Fastify, oidc-provider).
 */
export { checkConfig } from './check-config.ts';
export { ENV_OPTIONS, loadConfig, SECRET_FILE_VARIABLES, type LoadConfigOptions } from './load-config.ts';
export { KRATOS_DEFAULT_SESSION_COOKIE, type HubConfig, type HubConfigInput, type StoreConfig } from './hub-config.ts';
export { buildKratosSiteConfig, KRATOS_CIPHER_SECRET_LENGTH, kratosTracing, type KratosSiteInput } from './kratos-site-config.ts';
export { tracingSettingsFromEnv, type TracingSettings } from '../tracing/tracing-settings.ts';
export { classifyDsn, type DsnClassification, type DsnKind } from '../doctor/classify-dsn.ts';
export { ConfigError } from '../errors/ssohub-error.ts';
export { kratosPasswordMethod, type PasswordPolicyConfig } from '../password/password-policy-config.ts';
export { CORPORATE_DIRECTORY, kratosOidcMethod, parseUpstreamProviders, upstreamCallbackUrl, type UpstreamProvider } from '../upstream/upstream-providers.ts';
