export { authorizationRequest } from './authorization-request.ts';
export { launchChromium, CHROMIUM_PATH, type TestBrowser } from './chromium.ts';
export { freePort, reservePort, type PortReservation } from './free-port.ts';
export { FROM_SOURCE } from './from-source.ts';
export { CookieJar, HttpSession, type BrowserResponse } from './http-session.ts';
export {
  buildSiteConfig,
  ensureKratosBinary,
  KRATOS_DIR,
  REPO_ROOT,
  startKratos,
  TESTKIT_CACHE,
  type KratosDatabase,
  type KratosOptions,
  type RunningKratos,
} from './kratos.ts';
export { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlp-receiver.ts';
export { createTestDatabase, type TestDatabase } from './postgres.ts';
export { rawExchange, type RawExchange } from './raw-exchange.ts';
export { childrenOf, processStat } from './processes.ts';
export { deleteKeysWithPrefix, startTestRedis, uniquePrefix, type TestRedis } from './redis.ts';
export {
  startRedisCluster,
  startRedisSentinel,
  startRedisServer,
  type RedisClusterTopology,
  type RedisNode,
  type RedisSentinelTopology,
  type SentinelOptions,
} from './redis-topology.ts';
export { SetupError } from './setup-error.ts';
export { startSmtpCapture, type CapturedMail, type SmtpCapture } from './smtp-capture.ts';
export { isTestHost, mapTestHostsToLoopback, TEST_HOSTS } from './test-hosts.ts';
export { createTestCertificates, trustTestCa, type TestCertificates } from './tls-ca.ts';
export { waitFor } from './wait-for.ts';
export { startTestHostProxy, type TestHostProxy } from './test-host-proxy.ts';
export { startUpstreamIdp, type UpstreamIdp, type UpstreamIdpOptions, type UpstreamUser } from './upstream-idp.ts';
