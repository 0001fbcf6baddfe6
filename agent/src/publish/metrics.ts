import type { Registry } from 'prom-client';
import { scrapedCounter, scrapedGauge, single } from '../core/metrics.ts';
import { DROP_REASONS } from './outbox.ts';
import type { PublisherStats } from './publisher.ts';

/**
 * The publisher's delivery state as Prometheus series, read at scrape time. Outbox drops are counted per reason
 * (`expired`, `full`, `too_large`, `rejected`, `missing`): a non-zero rate means alerts did not reach the center.
 */
export function registerPublisherMetrics(registry: Registry, getStats: () => PublisherStats | null): void {
  const read = (value: (s: PublisherStats) => number | null) => () => {
    const s = getStats();
    return single(s ? value(s) : null);
  };
  const gauge = (name: string, help: string, value: (s: PublisherStats) => number | null) =>
    scrapedGauge(registry, { name, help }, read(value));
  const counter = (name: string, help: string, value: (s: PublisherStats) => number) =>
    scrapedCounter(registry, { name, help }, read(value));
  gauge('jifang_mqtt_connected', '1 while connected to the broker', (s) => (s.connected ? 1 : 0));
  gauge('jifang_mqtt_protocol_version', 'MQTT protocol in use: 5, or 4 (3.1.1) after a fall-back', (s) => s.protocolVersion);
  gauge('jifang_mqtt_inflight_messages', 'Outbox messages sent and awaiting PUBACK', (s) => s.inflight);
  gauge('jifang_outbox_messages', 'Alerts and snapshots queued in the durable outbox', (s) => s.outbox.messages);
  gauge('jifang_outbox_bytes', 'Bytes queued in the durable outbox', (s) => s.outbox.bytes);
  gauge('jifang_outbox_oldest_age_seconds', 'Age of the oldest queued message', (s) =>
    s.outbox.oldestCreatedAt === null ? null : (Date.now() - s.outbox.oldestCreatedAt) / 1000,
  );
  gauge(
    'jifang_outbox_kept_bytes',
    'Bytes of delivered alerts kept for the center to ask for again (cmd/resend)',
    (s) => s.outbox.keptBytes,
  );
  gauge(
    'jifang_outbox_latest_publication',
    'The highest publication number the box has given its alerts',
    (s) => s.outbox.latestPublication,
  );
  counter('jifang_mqtt_delivered_total', 'Outbox messages acknowledged by the broker', (s) => s.delivered);
  counter('jifang_mqtt_reconnects_total', 'Reconnection attempts to the broker', (s) => s.reconnects);
  scrapedCounter(
    registry,
    { name: 'jifang_outbox_dropped_total', help: 'Outbox messages dropped without delivery, by reason', labelNames: ['reason'] },
    () => {
      const s = getStats();
      return s ? DROP_REASONS.map((reason) => [{ reason }, s.outbox.dropped[reason]] as const) : [];
    },
  );
}
