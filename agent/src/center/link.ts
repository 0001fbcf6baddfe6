import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { COMMAND_RESULT_SCHEMA_ID, type CommandName, type CommandResult, type EventCommand } from '../contract/commands.ts';
import type { Logger } from '../core/log.ts';
import { readSecret } from '../core/secrets.ts';
import { acknowledgeWhenHandled } from '../publish/ack-later.ts';
import { MAX_BATCH } from './batch.ts';
import { type CenterConfig, centerClientId } from './config.ts';
import type { Ingest } from './ingest.ts';
import { centerSubscriptions, isAlertTopic, responseTopic, subscriptionOptions } from './topics.ts';

/** The center's connection to the city broker: receives the boxes' contract, sends operators' commands. */
export interface BrokerLink {
  clientId: string;
  /** Publishes `…/cmd/event` and waits for the box's answer (MQTT 5 response topic, else `requestId` on `…/cmd-result`). */
  sendEventCommand(site: string, cmd: EventCommand & { requestId: string }): Promise<CommandResult | { timeout: true }>;
  /** Publishes `…/cmd/{name}` and waits for the box's answer, as `sendEventCommand` does. */
  sendCommand(site: string, name: CommandName, cmd: { requestId: string }): Promise<CommandResult | { timeout: true }>;
  /** Called by ingest for every result seen (with the site of its topic), so a waiting command resolves whichever way its answer came. */
  noteResult(site: string, result: CommandResult): void;
  connected(): boolean;
  /** Bytes of received messages held until the archive has them, and since when reading is paused (null: it is not). */
  held(): HeldState;
  close(): Promise<void>;
}

export interface HeldState {
  bytes: number;
  limitBytes: number;
  pausedSince: number | null;
}

/** What a received message costs held in memory besides its payload and topic (packet, closures, promises). */
const PER_MESSAGE_BYTES = 1024;

/**
 * The messages received and not yet acknowledged (or given up for a connection gone), by their bytes, for both
 * sessions: over the limit, the next message received waits for room before mqtt.js reads another.
 */
function heldMessages(limitBytes: number, now: () => number = Date.now) {
  let bytes = 0;
  let pausedSince: number | null = null;
  const waiting: (() => void)[] = [];
  return {
    state: (): HeldState => ({ bytes, limitBytes, pausedSince }),
    /** Counts a message in; its release is idempotent. */
    hold(size: number): () => void {
      bytes += size;
      let held = true;
      return () => {
        if (!held) return;
        held = false;
        bytes -= size;
        if (bytes >= limitBytes) return;
        pausedSince = null;
        for (const resume of waiting.splice(0)) resume();
      };
    },
    room(): Promise<void> | undefined {
      if (bytes < limitBytes) return undefined;
      pausedSince ??= now();
      return new Promise((resume) => waiting.push(resume));
    },
  };
}
type Held = ReturnType<typeof heldMessages>;

type Waiting = Map<string, { site: string; command: CommandName; answer: (r: CommandResult) => void }>;

function clientOptions(cfg: CenterConfig['mqtt'], clientId: string): IClientOptions {
  const opts: IClientOptions = {
    clientId,
    protocolVersion: cfg.protocolVersion,
    // A persistent session: messages published while this instance restarts wait for it at the broker.
    clean: false,
    reconnectPeriod: 1000,
    connectTimeout: 30_000,
    resubscribe: false,
    // Twice a batch: while one batch commits, the broker sends the messages of the next (it sends no more unacknowledged).
    ...(cfg.protocolVersion === 5
      ? { properties: { sessionExpiryInterval: cfg.sessionExpirySeconds, receiveMaximum: 2 * MAX_BATCH } }
      : {}),
  };
  if (cfg.username !== undefined) opts.username = cfg.username;
  if (cfg.password !== undefined) opts.password = readSecret(cfg.password, 'mqtt.password');
  if (cfg.tls) {
    opts.rejectUnauthorized = cfg.tls.rejectUnauthorized;
    if (cfg.tls.ca) opts.ca = readFileSync(cfg.tls.ca);
    if (cfg.tls.cert) opts.cert = readFileSync(cfg.tls.cert);
    if (cfg.tls.key) opts.key = readFileSync(cfg.tls.key);
  }
  return opts;
}

/**
 * The PUBACK goes out only once the message is stored (or refused for good): a crash before that makes the broker
 * send it again. Meanwhile mqtt.js reads on: the next messages (which join the next group commit) and the broker's
 * answers to keep-alives (a write waiting for a database that is down does not cost the connection). The broker bounds
 * how many wait: it sends no more unacknowledged messages than the receive maximum (two batches).
 */
function ackWhenStored(
  client: MqttClient,
  ingest: Ingest,
  held: Held,
  log: Logger,
  closing: () => boolean,
  /** Messages this session lets go at once: the alert lane has its own copies. */
  elsewhere: (topic: string) => boolean = () => false,
): void {
  acknowledgeWhenHandled(
    client,
    (packet, late) => {
      const topic = packet.topic;
      if (elsewhere(topic)) return late.ack(() => {});
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      const release = held.hold(payload.length + topic.length + PER_MESSAGE_BYTES);
      const attempt = (delay: number, retry: boolean): void => {
        ingest.handle(topic, payload, retry).then(
          () => {
            late.ack((err) =>
              log.warn({ err, topic: topic.slice(0, 200) }, 'acknowledging a stored message failed: the broker sends it again'),
            );
            release();
          },
          () => {
            // Unacknowledged on a connection that is gone: the broker sends it again on the next one.
            if (!late.current()) return release();
            setTimeout(() => attempt(Math.min(delay * 2, 5_000), true), delay).unref();
          },
        );
      };
      attempt(250, false);
      return held.room();
    },
    closing,
  );
}

/** Subscribes on every connection and resolves on the first one; `subscribed` follows each granted subscription. */
async function subscribeOnConnect(
  client: MqttClient,
  cfg: CenterConfig['mqtt'],
  clientId: string,
  filters: string[],
  log: Logger,
  /** `granted`: every filter was granted. */
  subscribed: (granted: boolean) => void,
): Promise<void> {
  const subscribe = async () => {
    const granted = await client.subscribeAsync(subscriptionOptions(filters));
    const refused = granted.filter((g) => g.qos > 2);
    if (refused.length) log.error({ filters: refused.map((g) => g.topic) }, 'subscription refused by the broker (check its ACL)');
    return refused.length === 0;
  };
  client.on('connect', (ack) => {
    log.info({ url: cfg.url, clientId, sessionPresent: ack.sessionPresent }, 'connected to the city broker');
    // Every time, even with a session present: mosquitto does not restore shared subscriptions from its persistence
    // file after a restart, and subscribing again to the same filters changes nothing else.
    subscribe()
      .then(subscribed)
      .catch((err: Error) => log.error({ err }, 'subscribing failed'));
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cannot connect to the city broker ${cfg.url} within 30 s`)), 30_000);
    client.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Publishes `…/cmd/{name}` and resolves with the box's answer (through `waiting`) or a timeout. */
function sendCommand(
  client: MqttClient,
  cfg: CenterConfig['mqtt'],
  clientId: string,
  waiting: Waiting,
  site: string,
  name: CommandName,
  cmd: { requestId: string },
): Promise<CommandResult | { timeout: true }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.delete(cmd.requestId);
      resolve({ timeout: true });
    }, cfg.commandTimeoutSeconds * 1000);
    waiting.set(cmd.requestId, {
      site,
      command: name,
      answer: (r) => {
        clearTimeout(timer);
        resolve(r);
      },
    });
    const properties =
      cfg.protocolVersion === 5
        ? {
            responseTopic: responseTopic(cfg.root, site, clientId),
            correlationData: Buffer.from(cmd.requestId),
            contentType: 'application/json',
          }
        : undefined;
    // Dated, so a box that gets it only after a long outage refuses it as expired instead of applying it then.
    const body = JSON.stringify({ ...cmd, issuedAt: new Date().toISOString() });
    client.publish(`${cfg.root}/${site}/cmd/${name}`, body, { qos: 1, ...(properties ? { properties } : {}) }, (err) => {
      if (err) {
        clearTimeout(timer);
        waiting.delete(cmd.requestId);
        reject(new Error(`the command could not be sent to the broker: ${err.message}`));
      }
    });
  });
}

/** The alert lane: a session of its own for the alerts and their snapshots, stored as the main session's messages are. */
async function connectAlertLane(
  cfg: CenterConfig['mqtt'],
  lane: NonNullable<CenterConfig['mqtt']['alertLane']>,
  ingest: Ingest,
  held: Held,
  log: Logger,
  closing: () => boolean,
  subscribed: () => void,
): Promise<{ client: MqttClient; granted: () => boolean }> {
  const laneCfg = { ...cfg, ...lane };
  let granted = false;
  const llog = log.child({ lane: 'alerts' });
  const client = mqtt.connect(cfg.url, clientOptions(laneCfg, lane.clientId));
  ackWhenStored(client, ingest, held, llog, closing);
  client.on('error', (err) => llog.error({ err }, 'MQTT client error (alert lane)'));
  client.on('offline', () => llog.warn({ url: cfg.url }, 'city broker unreachable (alert lane): reconnecting'));
  const filters = centerSubscriptions(cfg.root, cfg.sharedGroup, lane.clientId, 'alerts');
  await subscribeOnConnect(client, laneCfg, lane.clientId, filters, llog, (ok) => {
    granted = ok;
    subscribed();
  });
  return { client, granted: () => granted };
}

/** `subscribed` is called after each connection's subscriptions are granted (the archive then asks boxes for gaps). */
export async function connectBroker(
  cfg: CenterConfig['mqtt'],
  ingest: Ingest,
  log: Logger,
  subscribed: () => void = () => {},
): Promise<BrokerLink> {
  const clientId = centerClientId(cfg);
  const waiting: Waiting = new Map();
  let closing = false;
  const lane = cfg.alertLane;
  const held = heldMessages(cfg.heldMessagesMB * 1024 * 1024);
  // The lane first: the alerts waiting for it are not stored after a backlog of health the main session brings.
  const alerts = lane ? await connectAlertLane(cfg, lane, ingest, held, log, () => closing, subscribed) : undefined;
  const client: MqttClient = mqtt.connect(cfg.url, clientOptions(cfg, clientId));
  // Only while the lane holds its subscription: a lane the broker refused leaves the alerts to this session.
  const elsewhere = alerts ? (topic: string) => alerts.granted() && isAlertTopic(cfg.root, topic) : undefined;
  ackWhenStored(client, ingest, held, log, () => closing, elsewhere);
  client.on('error', (err) => log.error({ err }, 'MQTT client error'));
  client.on('offline', () => log.warn({ url: cfg.url }, 'city broker unreachable: reconnecting'));
  const main = centerSubscriptions(cfg.root, cfg.sharedGroup, clientId, lane ? 'main' : undefined);
  // The archive asks the boxes for what it lacks once the session that carries the alerts is subscribed.
  await subscribeOnConnect(client, cfg, clientId, main, log, () => (lane ? undefined : subscribed()));

  // Matched by site and request: a box answering for a request it was not sent changes nothing.
  const noteResult = (site: string, r: CommandResult) => {
    if (!r.requestId) return;
    const w = waiting.get(r.requestId);
    if (w?.site === site) {
      waiting.delete(r.requestId);
      w.answer(r);
    }
  };
  // MQTT 5 replies on the private response topic come through ingest too (they are under `{root}/+/cmd-result/…`).

  return {
    clientId,
    noteResult,
    connected: () => client.connected && (alerts?.client.connected ?? true),
    held: held.state,
    sendEventCommand: (site, cmd) => sendCommand(client, cfg, clientId, waiting, site, 'event', cmd),
    sendCommand: (site, name, cmd) => sendCommand(client, cfg, clientId, waiting, site, name, cmd),
    close: async () => {
      closing = true;
      for (const [id, w] of waiting)
        w.answer({
          schema: COMMAND_RESULT_SCHEMA_ID,
          command: w.command,
          topic: '',
          requestId: id,
          ok: false,
          error: 'the center shut down before the box answered',
          boxId: '',
          at: new Date().toISOString(),
        });
      waiting.clear();
      // Not waiting for a message still being stored: unacknowledged, the broker sends it again to the next start.
      await Promise.all([client.endAsync(true), alerts?.client.endAsync(true)]);
    },
  };
}
