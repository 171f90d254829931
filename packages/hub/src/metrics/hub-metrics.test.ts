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
