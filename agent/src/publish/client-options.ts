import { readFileSync } from 'node:fs';
import type { IClientOptions } from 'mqtt';
import { readSecret } from '../core/secrets.ts';
import type { MqttConfig } from './config.ts';
import type { PublishProperties } from './properties.ts';

export interface WillMessage {
  topic: string;
  payload: Buffer;
  properties: PublishProperties;
}

/** Stable per box, so the broker resumes the persistent session (command subscription and queued commands). */
export function clientIdFor(cfg: MqttConfig, site: string, boxId: string): string {
  return cfg.clientId ?? `jifang-${site}-${boxId}`;
}

/**
 * mqtt.js options from the config: persistent session, keepalive, TLS files and the password secret read now
 * (a missing file is reported by its config path), the retained `status` as Last Will.
 */
export function buildClientOptions(cfg: MqttConfig, clientId: string, will: WillMessage): IClientOptions {
  const opts: IClientOptions = {
    clientId,
    protocolVersion: cfg.protocolVersion,
    clean: false,
    keepalive: cfg.keepaliveSeconds,
    connectTimeout: cfg.connectTimeoutSeconds * 1000,
    reconnectPeriod: cfg.reconnectMinSeconds * 1000,
    // Wrong credentials or an ACL change on the broker may be fixed remotely: keep retrying, with backoff.
    reconnectOnConnackError: true,
    // Metrics are periodic snapshots: sending stale ones after an outage helps nobody.
    queueQoSZero: false,
    resubscribe: true,
    properties: { sessionExpiryInterval: cfg.sessionExpirySeconds },
    will: { topic: will.topic, payload: will.payload, qos: 1, retain: true, properties: will.properties },
  };
  if (cfg.username !== undefined) opts.username = cfg.username;
  if (cfg.password !== undefined) opts.password = readSecret(cfg.password, 'mqtt.password');
  if (cfg.tls) {
    if (cfg.url && !/^(mqtts|ssl|wss):/.test(cfg.url)) {
      throw new Error(`mqtt.tls is set but mqtt.url ${cfg.url} is not encrypted: expected mqtts://host:8883 or wss://…`);
    }
    opts.rejectUnauthorized = cfg.tls.rejectUnauthorized;
    if (cfg.tls.ca) opts.ca = readTlsFile(cfg.tls.ca, 'mqtt.tls.ca');
    if (cfg.tls.cert) opts.cert = readTlsFile(cfg.tls.cert, 'mqtt.tls.cert');
    if (cfg.tls.key) opts.key = readTlsFile(cfg.tls.key, 'mqtt.tls.key');
    if (Boolean(cfg.tls.cert) !== Boolean(cfg.tls.key)) {
      throw new Error('mqtt.tls: a client certificate needs both cert and key (PEM files); got only one of them');
    }
  }
  return opts;
}

function readTlsFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`${what}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)}): expected a PEM file`);
  }
}
