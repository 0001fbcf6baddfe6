import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { COMMAND_RESULT_SCHEMA_ID, type CommandResult, type EventCommand } from '../contract/commands.ts';
import type { Logger } from '../core/log.ts';
import { readSecret } from '../core/secrets.ts';
import type { CenterConfig } from './config.ts';
import type { Ingest } from './ingest.ts';
import { centerSubscriptions, responseTopic } from './topics.ts';

/** The center's connection to the city broker: receives the boxes' contract, sends operators' commands. */
export interface BrokerLink {
  clientId: string;
  /** Publishes `…/cmd/event` and waits for the box's answer (MQTT 5 response topic, else `requestId` on `…/cmd-result`). */
  sendEventCommand(site: string, cmd: EventCommand & { requestId: string }): Promise<CommandResult | { timeout: true }>;
  /** Called by ingest for every result seen, so a waiting command resolves whichever way its answer came. */
  noteResult(result: CommandResult): void;
  connected(): boolean;
  close(): Promise<void>;
}

export async function connectBroker(cfg: CenterConfig['mqtt'], ingest: Ingest, log: Logger): Promise<BrokerLink> {
  const clientId = cfg.clientId ?? `jifang-center-${randomUUID().slice(0, 8)}`;
  const opts: IClientOptions = {
    clientId,
    protocolVersion: cfg.protocolVersion,
    // A persistent session: messages published while this instance restarts wait for it at the broker.
    clean: false,
    reconnectPeriod: 1000,
    connectTimeout: 30_000,
    resubscribe: false,
    ...(cfg.protocolVersion === 5 ? { properties: { sessionExpiryInterval: cfg.sessionExpirySeconds, receiveMaximum: 256 } } : {}),
  };
  if (cfg.username !== undefined) opts.username = cfg.username;
  if (cfg.password !== undefined) opts.password = readSecret(cfg.password, 'mqtt.password');
  if (cfg.tls) {
    opts.rejectUnauthorized = cfg.tls.rejectUnauthorized;
    if (cfg.tls.ca) opts.ca = readFileSync(cfg.tls.ca);
    if (cfg.tls.cert) opts.cert = readFileSync(cfg.tls.cert);
    if (cfg.tls.key) opts.key = readFileSync(cfg.tls.key);
  }
  const client: MqttClient = mqtt.connect(cfg.url, opts);
  const waiting = new Map<string, (r: CommandResult) => void>();
  let closing = false;

  // The PUBACK goes out only once the message is stored: a crash before that makes the broker send it again.
  client.handleMessage = (packet, done) => {
    const topic = packet.topic;
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const attempt = (delay: number): void => {
      ingest.handle(topic, payload).then(
        () => done(),
        (err: Error) => {
          if (closing) return;
          log.error({ err: err.message, topic, retryInMs: delay }, 'storing a message failed: retrying before acknowledging it');
          setTimeout(() => attempt(Math.min(delay * 2, 30_000)), delay);
        },
      );
    };
    attempt(500);
  };
  client.on('error', (err) => log.error({ err: err.message }, 'MQTT client error'));
  client.on('offline', () => log.warn({ url: cfg.url }, 'city broker unreachable: reconnecting'));

  const subscribe = async () => {
    const filters = centerSubscriptions(cfg.root, cfg.sharedGroup, clientId);
    const granted = await client.subscribeAsync(filters, { qos: 1 });
    const refused = granted.filter((g) => g.qos > 2);
    if (refused.length) log.error({ filters: refused.map((g) => g.topic) }, 'subscription refused by the broker (check its ACL)');
  };
  client.on('connect', (ack) => {
    log.info({ url: cfg.url, clientId, sessionPresent: ack.sessionPresent }, 'connected to the city broker');
    // Every time, even with a session present: mosquitto does not restore shared subscriptions from its persistence
    // file after a restart, and subscribing again to the same filters changes nothing else.
    subscribe().catch((err: Error) => log.error({ err: err.message }, 'subscribing failed'));
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cannot connect to the city broker ${cfg.url} within 30 s`)), 30_000);
    client.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
  });

  const noteResult = (r: CommandResult) => {
    if (!r.requestId) return;
    const w = waiting.get(r.requestId);
    if (w) {
      waiting.delete(r.requestId);
      w(r);
    }
  };
  // MQTT 5 replies on the private response topic come through ingest too (they are under `{root}/+/cmd-result/…`).

  return {
    clientId,
    noteResult,
    connected: () => client.connected,
    sendEventCommand: (site, cmd) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(cmd.requestId);
          resolve({ timeout: true });
        }, cfg.commandTimeoutSeconds * 1000);
        waiting.set(cmd.requestId, (r) => {
          clearTimeout(timer);
          resolve(r);
        });
        const properties =
          cfg.protocolVersion === 5
            ? {
                responseTopic: responseTopic(cfg.root, site, clientId),
                correlationData: Buffer.from(cmd.requestId),
                contentType: 'application/json',
              }
            : undefined;
        client.publish(`${cfg.root}/${site}/cmd/event`, JSON.stringify(cmd), { qos: 1, ...(properties ? { properties } : {}) }, (err) => {
          if (err) {
            clearTimeout(timer);
            waiting.delete(cmd.requestId);
            reject(new Error(`the command could not be sent to the broker: ${err.message}`));
          }
        });
      }),
    close: async () => {
      closing = true;
      for (const [id, w] of waiting)
        w({
          schema: COMMAND_RESULT_SCHEMA_ID,
          command: 'event',
          topic: '',
          requestId: id,
          ok: false,
          error: 'the center shut down before the box answered',
          boxId: '',
          at: new Date().toISOString(),
        });
      waiting.clear();
      await client.endAsync();
    },
  };
}
