import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerPublisherMetrics } from '../../../agent/src/publish/metrics.ts';
import type { PublisherStats } from '../../../agent/src/publish/publisher.ts';

describe('publisher Prometheus metrics', () => {
  it('expose connection, outbox depth and drops per reason as read at scrape time', async () => {
    const registry = new Registry();
    let stats: PublisherStats | null = null;
    registerPublisherMetrics(registry, () => stats);

    stats = {
      connected: false,
      protocolVersion: 5,
      inflight: 2,
      delivered: 40,
      reconnects: 3,
      held: 0,
      outbox: {
        messages: 12,
        bytes: 4096,
        oldestCreatedAt: Date.now() - 90_000,
        dropped: { expired: 0, full: 4, too_large: 0, rejected: 1, missing: 0 },
        keptBytes: 2048,
        latestPublication: 77,
      },
    };
    const text = await registry.metrics();
    expect(text).toMatch(/^jifang_mqtt_connected 0$/m);
    expect(text).toMatch(/^jifang_outbox_messages 12$/m);
    expect(text).toMatch(/^jifang_outbox_bytes 4096$/m);
    expect(text).toMatch(/^jifang_outbox_kept_bytes 2048$/m);
    expect(text).toMatch(/^jifang_outbox_latest_publication 77$/m);
    expect(text).toMatch(/^jifang_mqtt_delivered_total 40$/m);
    expect(text).toMatch(/^jifang_outbox_dropped_total\{reason="full"\} 4$/m);
    expect(text).toMatch(/^jifang_outbox_dropped_total\{reason="rejected"\} 1$/m);
    const age = Number(/^jifang_outbox_oldest_age_seconds (\S+)$/m.exec(text)?.[1]);
    expect(age).toBeGreaterThanOrEqual(90);
    expect(age).toBeLessThan(100);
  });
});
