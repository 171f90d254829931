import { describe, expect, it } from 'vitest';
import { createHubMetrics } from './hub-metrics.ts';

describe('back-channel metrics', () => {
  it('counts deliveries by outcome and reads the queue depth from the store at each scrape', async () => {
    const metrics = createHubMetrics();
    metrics.backchannel.deliveries.inc({ outcome: 'failed' });
    metrics.backchannel.deliveries.inc({ outcome: 'delivered' });
    let depth = 3;
    metrics.backchannel.readQueueDepth = async () => depth;
    const text = await metrics.registry.metrics();
    expect(text).toContain('ssohub_backchannel_deliveries_total{outcome="failed",service="ssohub-hub"} 1');
    expect(text).toContain('ssohub_backchannel_queue_depth{service="ssohub-hub"} 3');
    depth = 0;
    expect(await metrics.registry.metrics()).toContain('ssohub_backchannel_queue_depth{service="ssohub-hub"} 0');
  });

  it('keeps the last depth, and the scrape working, when the store cannot answer', async () => {
    const metrics = createHubMetrics();
    metrics.backchannel.readQueueDepth = async () => 2;
    await metrics.registry.metrics();
    metrics.backchannel.readQueueDepth = async () => Promise.reject(new Error('store down'));
    expect(await metrics.registry.metrics()).toContain('ssohub_backchannel_queue_depth{service="ssohub-hub"} 2');
  });
});

describe('gauges read from the shared store', () => {
  it('reads the age of the oldest back-channel delivery, in seconds, at each scrape', async () => {
    const metrics = createHubMetrics();
    expect(await metrics.registry.metrics()).toContain('ssohub_backchannel_queue_oldest_seconds{service="ssohub-hub"} 0');
    let ms = 90_500;
    metrics.backchannel.readQueueOldestMs = async () => ms;
    expect(await metrics.registry.metrics()).toContain('ssohub_backchannel_queue_oldest_seconds{service="ssohub-hub"} 90.5');
    ms = 0;
    expect(await metrics.registry.metrics()).toContain('ssohub_backchannel_queue_oldest_seconds{service="ssohub-hub"} 0');
  });

  it("reads the provider's live sessions at each scrape, keeping the last count when the store cannot answer", async () => {
    const metrics = createHubMetrics();
    expect(await metrics.registry.metrics()).toContain('ssohub_oidc_sessions{service="ssohub-hub"} 0');
    metrics.oidc.readSessions = async () => 42;
    expect(await metrics.registry.metrics()).toContain('ssohub_oidc_sessions{service="ssohub-hub"} 42');
    metrics.oidc.readSessions = async () => Promise.reject(new Error('store down'));
    expect(await metrics.registry.metrics()).toContain('ssohub_oidc_sessions{service="ssohub-hub"} 42');
  });

  it('counts each once across workers that read the same store (the maximum, not the sum)', async () => {
    const { AggregatorRegistry } = await import('prom-client');
    const metrics = createHubMetrics();
    metrics.oidc.readSessions = async () => 7;
    metrics.backchannel.readQueueOldestMs = async () => 12_000;
    const json = await metrics.registry.getMetricsAsJSON();
    const aggregate = await AggregatorRegistry.aggregate([json, json]).metrics();
    expect(aggregate).toContain('ssohub_oidc_sessions{service="ssohub-hub"} 7');
    expect(aggregate).toContain('ssohub_backchannel_queue_oldest_seconds{service="ssohub-hub"} 12');
  });
});

describe('store command timings (a LightHistogram)', () => {
  it('prints cumulative buckets, sum and count per command and outcome, and sums across workers', async () => {
    const { AggregatorRegistry } = await import('prom-client');
    const metrics = createHubMetrics();
    metrics.store.observe('get', false, 0.0004);
    metrics.store.observe('get', false, 0.003);
    metrics.store.observe('get', true, 1.5);
    const text = await metrics.registry.metrics();
    expect(text).toContain('# TYPE ssohub_store_command_duration_seconds histogram');
    expect(text).toContain('ssohub_store_command_duration_seconds_bucket{le="0.0005",command="get",outcome="ok",service="ssohub-hub"} 1');
    expect(text).toContain('ssohub_store_command_duration_seconds_bucket{le="0.005",command="get",outcome="ok",service="ssohub-hub"} 2');
    expect(text).toContain('ssohub_store_command_duration_seconds_bucket{le="+Inf",command="get",outcome="ok",service="ssohub-hub"} 2');
    expect(text).toContain('ssohub_store_command_duration_seconds_count{command="get",outcome="error",service="ssohub-hub"} 1');
    expect(text).toContain('ssohub_store_command_duration_seconds_bucket{le="1",command="get",outcome="error",service="ssohub-hub"} 0');
    const json = await metrics.registry.getMetricsAsJSON();
    const summed = await AggregatorRegistry.aggregate([json, json]).metrics();
    expect(summed).toContain('ssohub_store_command_duration_seconds_count{command="get",outcome="ok",service="ssohub-hub"} 4');
  });

  it('counts the queue depth once across workers that read the same store', async () => {
    const { AggregatorRegistry } = await import('prom-client');
    const metrics = createHubMetrics();
    metrics.backchannel.readQueueDepth = async () => 3;
    const json = await metrics.registry.getMetricsAsJSON();
    expect(await AggregatorRegistry.aggregate([json, json]).metrics()).toContain('ssohub_backchannel_queue_depth{service="ssohub-hub"} 3');
  });
});
