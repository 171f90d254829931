import type { Logger } from 'pino';
import type { AuditLog } from './audit/audit-log.ts';
import type { Bridge } from './bridge/bridge.ts';
import type { ClientRegistry } from './clients/client-registry.ts';
import type { HubConfig } from './config/hub-config.ts';
import type { Guard } from './guard/guard.ts';
import type { KratosClient } from './kratos/kratos-client.ts';
import type { HubMetrics } from './metrics/hub-metrics.ts';
import type { Storage } from './storage/storage.ts';
import type { TracingSettings } from './tracing/tracing-settings.ts';

/** The services one hub instance shares between its public and admin listeners. */
export interface HubContext {
  config: Readonly<HubConfig>;
  log: Logger;
  kratos: KratosClient;
  storage: Storage;
  audit: AuditLog;
  guard: Guard;
  clients: ClientRegistry;
  /** The instance's Prometheus counters and gauges. */
  metrics: HubMetrics;
  bridge: Bridge;
  /** What OTEL_* asked of tracing, when it is on (the doctor reports it). */
  tracing?: TracingSettings;
}
