import type { IClientPublishOptions } from 'mqtt';
import { ALERT_SCHEMA_ID, type Alert } from '../contract/alert.ts';

/** MQTT 5 publish properties; under 3.1.1 mqtt.js leaves them off the wire. */
export type PublishProperties = NonNullable<IClientPublishOptions['properties']>;

/**
 * Payload schema ids beside `jifang.event/1`, carried as the `schema` user property so a broker
 * or bridge can route without parsing JSON.
 */
export const PAYLOAD_SCHEMAS = {
  event: ALERT_SCHEMA_ID,
  snapshot: 'jifang.snapshot/1',
  health: 'jifang.health/1',
  status: 'jifang.status/1',
  metrics: 'jifang.metrics/1',
  commandResult: 'jifang.cmd-result/1',
} as const;

const json = 'application/json';

export function eventProperties(alert: Alert): PublishProperties {
  return {
    contentType: json,
    userProperties: { schema: PAYLOAD_SCHEMAS.event, type: alert.type, state: alert.state, camera: alert.camera, eventId: alert.id },
  };
}

export function snapshotProperties(camera: string, eventId: string | undefined, sha256: string): PublishProperties {
  const userProperties: Record<string, string> = { schema: PAYLOAD_SCHEMAS.snapshot, camera, sha256 };
  if (eventId !== undefined) userProperties.eventId = eventId;
  return { contentType: 'image/jpeg', userProperties };
}

export function healthProperties(camera: string): PublishProperties {
  return { contentType: json, userProperties: { schema: PAYLOAD_SCHEMAS.health, camera } };
}

export function statusProperties(): PublishProperties {
  return { contentType: json, userProperties: { schema: PAYLOAD_SCHEMAS.status } };
}

/** Metrics are superseded by the next report: the broker may discard one older than two intervals. */
export function metricsProperties(intervalSeconds: number): PublishProperties {
  return { contentType: json, messageExpiryInterval: Math.ceil(2 * intervalSeconds), userProperties: { schema: PAYLOAD_SCHEMAS.metrics } };
}

export function commandResultProperties(correlationData?: Buffer): PublishProperties {
  const props: PublishProperties = { contentType: json, userProperties: { schema: PAYLOAD_SCHEMAS.commandResult } };
  if (correlationData) props.correlationData = correlationData;
  return props;
}
