import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import mqtt, { ErrorWithReasonCode, type IClientPublishOptions, type MqttClient } from 'mqtt';
import { type Alert, alertSchema } from '../contract/alert.ts';
import { type CameraHealth, cameraHealthSchema, type Status, statusSchema } from '../contract/health.ts';
import { sha256Hex } from '../core/hash.ts';
import type { Logger } from '../core/log.ts';
import { streamAddress, watchForReturn } from '../core/probe.ts';
import { acknowledgeWhenHandled } from './ack-later.ts';
import { buildClientOptions, clientIdFor } from './client-options.ts';
import type { MqttConfig } from './config.ts';
import type { Held } from './held.ts';
import { HeldAlerts } from './held.ts';
import { type NewOutboxMessage, Outbox, type OutboxDrop, type OutboxMessage, type OutboxStats, type SentAlerts } from './outbox.ts';
import {
  eventProperties,
  healthProperties,
  metricsProperties,
  type PublishProperties,
  snapshotProperties,
  statusProperties,
} from './properties.ts';
import { type ResendOutcome, resendKept } from './resend.ts';
import { HeldSpill } from './spill.ts';
import { buildTopics, type Topics } from './topics.ts';

export interface PublisherContext {
  site: string;
  boxId: string;
  agentVersion: string;
  /** The outbox lives in `{dataDir}/outbox/`. */
  dataDir: string;
  /** Broker URL; defaults to `cfg.url` (the integrator passes the embedded broker's URL when that is absent). */
  url?: string;
  /** For the status published on connect before the agent's first `publishStatus`. */
  cameras?: Status['cameras'];
  /** Where the box stands, for that first status too: a map places the box by it. */
  place?: Pick<Status, 'location' | 'address'>;
  startedAt?: number;
  /**
   * The durable record of a delivery (the audit log). The outbox row is deleted only once it resolves: after a kill
   * between PUBACK and the record, the message is sent again at the next start (a duplicate at QoS 1, which
   * consumers drop by id and seq) and recorded then. A record that fails leaves the row for the next start too.
   */
  recordDelivery?: (d: Delivery) => Promise<void>;
}

/** The broker acknowledged (PUBACK) an outbox message: the audit log records when. */
export interface Delivery {
  message: OutboxMessage;
  ackedAt: number;
}

export interface PublisherStats {
  connected: boolean;
  /** 5 or 4 (after falling back for a broker that refused MQTT 5). */
  protocolVersion: number;
  inflight: number;
  delivered: number;
  reconnects: number;
  outbox: OutboxStats;
  /** Alerts waiting in memory because the outbox could not take them (a full disk). */
  held: number;
}

interface PublisherEvents {
  delivered: [Delivery];
  dropped: [OutboxDrop];
  connected: [{ protocolVersion: number; sessionPresent: boolean }];
  disconnected: [];
}

const NOT_STARTED = 'publisher not started: call start() first';
const MAX_EARLY_MESSAGES = 100;
/** How often the broker's TCP port is tried while the box waits out a reconnect backoff. */
const BROKER_PROBE_MS = 2000;
const brokerPorts: Record<string, number> = {
  'mqtt:': 1883,
  'tcp:': 1883,
  'mqtts:': 8883,
  'ssl:': 8883,
  'tls:': 8883,
  'ws:': 80,
  'wss:': 443,
};

/** A message the box received on a subscription it serves. */
export interface InboundMessage {
  topic: string;
  payload: Buffer;
  /** MQTT 5 request/response: where the requester also wants the answer, with its correlation data. */
  responseTopic?: string;
  correlationData?: Buffer;
}

/** What a served subscription answers: published at QoS 1, not retained. */
export interface OutboundMessage {
  topic: string;
  payload: string | Buffer;
  properties: PublishProperties;
}

export type InboundHandler = (message: InboundMessage) => Promise<OutboundMessage[]>;

/**
 * Publishes the MQTT contract for one box. Events and their snapshots go through the durable outbox
 * (written before publishing, removed after PUBACK, replayed in order after a reconnect or restart);
 * status and health are retained and re-sent on every connect; metrics are QoS 0 and skipped while offline.
 */
export class Publisher extends EventEmitter<PublisherEvents> {
  readonly topics: Topics;
  private client: MqttClient | null = null;
  private outbox: Outbox | null = null;
  private served: { filter: string; handler: InboundHandler } | null = null;
  /** Messages the broker delivered (a persistent session's backlog arrives right after connecting) before serve(). */
  private readonly early: (InboundMessage & { ack: () => void })[] = [];
  private status: Status;
  private readonly health = new Map<string, CameraHealth>();
  /** Highest outbox id handed to mqtt.js in this process; mqtt.js re-sends those itself after a reconnect. */
  private handedUpTo = 0;
  private inflight = 0;
  /** Alerts the outbox could not take (a full disk): sent from memory, written to the outbox once it takes them. */
  private held!: HeldAlerts;
  /** Deliveries acknowledged whose record is being written (their rows are still in the outbox). */
  private readonly recording = new Set<Promise<void>>();
  private delivered = 0;
  private reconnects = 0;
  private stopping = false;
  private expiryTimer: NodeJS.Timeout | null = null;
  private stopProbe: (() => void) | undefined;
  private readonly log: Logger;

  constructor(
    private readonly cfg: MqttConfig,
    private readonly ctx: PublisherContext,
    log: Logger,
  ) {
    super();
    this.log = log.child({ stage: 'publish' });
    this.topics = buildTopics(cfg.root, ctx.site);
    this.status = {
      online: true,
      agentVersion: ctx.agentVersion,
      boxId: ctx.boxId,
      startedAt: new Date(ctx.startedAt ?? Date.now()).toISOString(),
      at: new Date().toISOString(),
      ...ctx.place,
      cameras: ctx.cameras ?? [],
    };
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Opens the outbox and starts connecting; resolves without waiting for the broker (the box works offline). */
  async start(): Promise<void> {
    if (this.client) throw new Error('publisher already started');
    const url = this.ctx.url ?? this.cfg.url;
    if (!url) throw new Error('no broker URL: set mqtt.url, or start the embedded broker and pass its url in the publisher context');
    const o = this.cfg.outbox;
    this.outbox = Outbox.open(
      join(this.ctx.dataDir, 'outbox'),
      {
        maxMessages: o.maxMessages,
        maxBytes: o.maxMegabytes * 1024 * 1024,
        maxAgeMs: o.maxAgeHours * 3_600_000,
        keepDeliveredMs: o.keepDeliveredHours * 3_600_000,
        keepDeliveredBytes: o.keepDeliveredMegabytes * 1024 * 1024,
      },
      this.log,
    );
    const dir = join(this.ctx.dataDir, 'outbox');
    const spill = HeldSpill.open(join(dir, 'held.spill'), o.heldReserveMegabytes * 1024 * 1024, this.log);
    this.held = new HeldAlerts(dir, this.log, (d) => this.reportDrops([d]), spill);
    this.requeueSpilled(this.held.takeSpilled());
    this.expire();
    this.expiryTimer = setInterval(() => this.expire(), 60_000);
    this.expiryTimer.unref();

    const clientId = clientIdFor(this.cfg, this.ctx.site, this.ctx.boxId);
    const options = buildClientOptions(this.cfg, clientId, this.will());
    const client = mqtt.connect(url, options);
    this.client = client;
    const minDelay = this.cfg.reconnectMinSeconds * 1000;
    const maxDelay = Math.max(minDelay, this.cfg.reconnectMaxSeconds * 1000);

    let backoff = minDelay;
    let sessionUp = false;
    client.on('connect', (connack) => {
      this.stopProbe?.();
      sessionUp = true;
      backoff = minDelay;
      client.options.reconnectPeriod = minDelay;
      const protocolVersion = client.options.protocolVersion ?? 4;
      this.log.info(
        { url, clientId, protocolVersion, sessionPresent: connack.sessionPresent, queued: this.outbox?.stats().messages },
        'connected to broker',
      );
      this.announce();
      this.pump();
      // `connected` once commands can arrive: an operator may act as soon as the box shows up online.
      const subscribed = this.served ? this.subscribeServed() : Promise.resolve();
      void subscribed.then(() => this.emit('connected', { protocolVersion, sessionPresent: connack.sessionPresent }));
    });
    client.on('reconnect', () => {
      this.stopProbe?.();
      this.reconnects++;
      // Exponential backoff with jitter: boxes that lost the same broker must not all return in step.
      backoff = Math.min(maxDelay, backoff * 2);
      client.options.reconnectPeriod = Math.round(backoff * (0.75 + Math.random() * 0.5));
      if (client.options.will) client.options.will.payload = this.will().payload;
    });
    client.on('close', () => {
      // A fall-back to 3.1.1 holds for one session only: the next attempt asks for MQTT 5 again (a broker upgraded or
      // a listener that was briefly the wrong one must not pin the box to 3.1.1 for good).
      if (sessionUp && client.options.protocolVersion !== this.cfg.protocolVersion)
        client.options.protocolVersion = this.cfg.protocolVersion;
      sessionUp = false;
      if (!this.stopping) {
        this.log.debug({ url }, 'broker connection closed');
        this.probeDuringBackoff(client, url);
      }
      this.emit('disconnected');
    });
    client.on('offline', () =>
      this.log.warn({ url, queued: this.outbox?.stats().messages }, 'broker unreachable: events stay in the outbox'),
    );
    client.on('error', (err) => this.onClientError(err));
    this.receiveCommands(client);
  }

  /**
   * Durably queues an alert (and its annotated snapshot JPEG, whose SHA-256 and size the alert's evidence must carry).
   * Resolves once both are in the outbox; delivery continues in the background until PUBACK (`delivered` event).
   */
  async publishEvent(alert: Alert, snapshotJpeg?: Buffer): Promise<void> {
    if (!this.outbox) throw new Error(NOT_STARTED);
    const parsed = alertSchema.safeParse(alert);
    if (!parsed.success)
      throw new Error(
        `alert ${alert?.id ?? '(no id)'} does not match ${alert?.schema ?? 'jifang.event/1'}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    if (alert.site !== this.ctx.site)
      throw new Error(`alert ${alert.id} is for site "${alert.site}", this box publishes for "${this.ctx.site}"`);
    const snapshot = snapshotJpeg ? this.checkedSnapshot(alert, snapshotJpeg) : undefined;
    // Numbered here, as it enters the outbox: the number is the box's, whatever the alert carried.
    const publication = this.outbox.nextPublication();
    const items: NewOutboxMessage[] = [
      {
        kind: 'event',
        camera: alert.camera,
        eventId: alert.id,
        state: alert.state,
        topic: this.topics.events(alert.camera),
        properties: eventProperties(alert),
        payload: Buffer.from(JSON.stringify({ ...alert, publication })),
        publication,
      },
    ];
    if (snapshot) items.push({ ...snapshot, publication });
    // Behind alerts already held, a new one waits its turn: order per camera is kept.
    if (this.held.waiting > 0) this.writeHeld();
    if (this.held.waiting > 0) this.held.hold(items, undefined, () => this.writeHeld());
    else {
      try {
        const { dropped } = this.addToOutbox(this.outbox, items);
        this.reportDrops(dropped);
        this.held.writable();
      } catch (err) {
        if (!HeldAlerts.isDiskFull(err)) throw err;
        this.held.hold(items, err as NodeJS.ErrnoException, () => this.writeHeld());
      }
    }
    this.pump();
  }

  /**
   * On a full disk the delivered alerts kept for re-sends make room first (an alert not yet delivered matters more
   * than a copy of one the broker has); only then are alerts held in memory.
   */
  private addToOutbox(outbox: Outbox, items: NewOutboxMessage[]): ReturnType<Outbox['add']> {
    try {
      return outbox.add(items, this.handedUpTo);
    } catch (err) {
      if (!HeldAlerts.isDiskFull(err)) throw err;
      const shed = outbox.shedDelivered();
      if (shed === 0) throw err;
      this.log.warn({ err, shed }, 'disk full: the delivered alerts kept for re-sends were dropped to make room');
      return outbox.add(items, this.handedUpTo);
    }
  }

  /**
   * Alerts a previous run held on a full disk and was killed with: queued first, behind nothing (the outbox's own rows
   * are older). One the outbox already has (written just before the kill) is left out; their publication numbers are
   * not given again.
   */
  private requeueSpilled(spilled: NewOutboxMessage[]): void {
    const outbox = this.outbox!;
    const known = (p: number | undefined) => {
      if (p === undefined || p > outbox.latestPublication) return false;
      const k = outbox.kept(p, p, 1);
      return k.resent.includes(p) || k.queued.includes(p);
    };
    if (spilled.length === 0) return;
    const items = spilled.filter((m) => !known(m.publication));
    for (const m of items) if (m.publication !== undefined) outbox.notePublication(m.publication);
    if (items.length === 0) {
      this.held.written([]);
      return;
    }
    this.log.warn({ alerts: items.length }, 'alerts held on a full disk when the last run stopped: queued now');
    try {
      this.reportDrops(this.addToOutbox(outbox, items).dropped);
      this.held.written([]);
    } catch (err) {
      if (!HeldAlerts.isDiskFull(err)) throw err;
      this.held.hold(items, err as NodeJS.ErrnoException, () => this.writeHeld());
    }
  }

  /** The snapshot's outbox message, once the alert's evidence is seen to describe it. */
  private checkedSnapshot(alert: Alert, jpeg: Buffer): NewOutboxMessage {
    const sha256 = sha256Hex(jpeg);
    const topic = this.topics.eventSnapshot(alert.camera, alert.id);
    const ev = alert.evidence.snapshot;
    if (!ev || ev.sha256 !== sha256 || ev.bytes !== jpeg.length || ev.topic !== topic) {
      throw new Error(
        `alert ${alert.id}: evidence.snapshot must describe the JPEG given (sha256 ${sha256}, ${jpeg.length} bytes, topic ${topic}); got ${JSON.stringify(ev ?? null)}`,
      );
    }
    return {
      kind: 'snapshot',
      camera: alert.camera,
      eventId: alert.id,
      state: alert.state,
      topic,
      properties: snapshotProperties(alert.camera, alert.id, sha256),
      payload: jpeg,
    };
  }

  /**
   * Why alerts wait in memory instead of the outbox (a full disk), with the figures; undefined when the outbox takes
   * them. Clears by itself once the disk does again.
   */
  get degraded(): string | undefined {
    return this.held?.degraded;
  }

  /** Held alerts not yet sent go into the outbox when it takes them again (behind everything already there). */
  private writeHeld(): void {
    if (!this.outbox) return;
    const outbox = this.outbox;
    const waiting = this.held.unsent();
    if (waiting.length === 0) {
      this.held.probe();
      return;
    }
    try {
      const { dropped } = this.addToOutbox(
        outbox,
        waiting.map((h) => h.item),
      );
      this.held.written(waiting);
      this.reportDrops(dropped);
      this.pump();
    } catch (err) {
      if (!HeldAlerts.isDiskFull(err)) throw err;
      this.held.stillFull(err as NodeJS.ErrnoException);
    }
  }

  /** Retained per camera; while offline only the latest per camera is kept and sent on reconnect. */
  publishHealth(h: CameraHealth): void {
    const health = cameraHealthSchema.parse(h);
    this.health.set(health.camera, health);
    if (this.connected) this.publishHealthNow(health);
  }

  /** Retained; `online` must be true (stop() and the Last Will say `online:false`). Re-sent on every connect. */
  publishStatus(s: Status): void {
    const status = statusSchema.parse(s);
    if (!status.online)
      throw new Error('publishStatus expects online: true; stop() publishes online: false (and the Last Will does on a crash)');
    this.status = status;
    if (this.connected) this.sendRetained(this.topics.status, this.status, statusProperties());
  }

  /** QoS 0 with an MQTT 5 expiry of two intervals; false (not sent) while offline: metrics are not worth queueing. */
  publishMetrics(m: Record<string, unknown>): boolean {
    if (!this.client || !this.connected) return false;
    this.client.publish(this.topics.metrics, JSON.stringify(m), { qos: 0, properties: metricsProperties(this.cfg.metricsIntervalSeconds) });
    return true;
  }

  /**
   * Subscribes to `filter` (QoS 1, persistent session) and publishes whatever `handler` answers to each message.
   * Resolves once the broker granted the subscription, or at once while offline (it is made on connect, before
   * `connected` is emitted). Messages the broker delivered before this call are handled now.
   */
  async serve(filter: string, handler: InboundHandler): Promise<void> {
    this.served = { filter, handler };
    for (const m of this.early.splice(0)) this.handleInbound(m);
    if (this.connected) await this.subscribeServed();
  }

  /** `cmd/resend`: the delivered alert messages of publications `from`…`to` the outbox still keeps, published again. */
  resend(range: { from: number; to?: number | undefined }): ResendOutcome {
    if (!this.outbox) throw new Error(NOT_STARTED);
    const outcome = resendKept(
      this.outbox,
      range,
      (m, payload) => this.client?.publish(m.topic, payload, { qos: 1, properties: m.properties }),
      this.cfg.outbox,
    );
    this.log.info({ ...range, ...outcome.detail, notKept: outcome.detail.notKept.length }, "alerts re-sent at the center's request");
    return outcome;
  }

  /** What was already sent of an event's alerts, as far as the outbox (queue and delivered window) still holds it. */
  sentOf(eventId: string): SentAlerts | undefined {
    if (!this.outbox) throw new Error(NOT_STARTED);
    return this.outbox.sentOf(eventId);
  }

  stats(): PublisherStats {
    if (!this.outbox) throw new Error(NOT_STARTED);
    return {
      connected: this.connected,
      protocolVersion: this.client?.options.protocolVersion ?? this.cfg.protocolVersion,
      inflight: this.inflight,
      delivered: this.delivered,
      reconnects: this.reconnects,
      outbox: this.outbox.stats(),
      held: this.held.count,
    };
  }

  /** Resolves on the next connection (immediately when connected); rejects after `timeoutMs`. */
  whenConnected(timeoutMs: number): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('connected', onConnected);
        reject(new Error(`not connected to the broker within ${timeoutMs} ms`));
      }, timeoutMs);
      const onConnected = () => {
        clearTimeout(timer);
        resolve();
      };
      this.once('connected', onConnected);
    });
  }

  /**
   * Publishes `online:false`, waits up to `timeoutMs` for messages in flight to be acknowledged, disconnects
   * cleanly (so the broker does not also send the will) and closes the outbox; what was not acknowledged is
   * replayed by the next start.
   */
  async stop(timeoutMs = 5000): Promise<void> {
    const client = this.client;
    if (!client || this.stopping) return;
    this.stopping = true;
    this.stopProbe?.();
    if (this.expiryTimer) clearInterval(this.expiryTimer);
    const deadline = Date.now() + timeoutMs;
    if (client.connected) {
      const offline = { ...this.status, online: false, at: new Date().toISOString() };
      await withTimeout(
        client.publishAsync(this.topics.status, JSON.stringify(offline), { qos: 1, retain: true, properties: statusProperties() }),
        deadline,
      ).catch(() => undefined);
      while (this.inflight > 0 && client.connected && Date.now() < deadline) await sleep(20);
    }
    await withTimeout(Promise.all(this.recording), deadline).catch(() => undefined);
    this.writeHeld();
    this.held.close();
    await withTimeout(client.endAsync(!client.connected), deadline).catch(() => client.endAsync(true));
    this.outbox?.close();
    this.outbox = null;
    this.log.info({ inflight: this.inflight }, 'publisher stopped');
  }

  /** Hands queued outbox messages to mqtt.js, in id order, keeping at most the window in flight. */
  private pump(): void {
    const client = this.client;
    if (!client || !this.outbox || !client.connected || this.stopping) return;
    const window = Math.min(this.cfg.inflightWindow, client.serverProperties?.receiveMaximum ?? Infinity);
    const room = window - this.inflight;
    if (room <= 0) return;
    const { messages, dropped } = this.outbox.pending(this.handedUpTo, room);
    this.reportDrops(dropped);
    for (const { message, payload } of messages) {
      this.handedUpTo = message.id;
      this.inflight++;
      const opts: IClientPublishOptions = { qos: 1, properties: message.properties };
      client.publish(message.topic, payload, opts, (err) => this.onAck(message, err));
    }
    if (messages.length === room) return;
    // Held alerts are newer than every row: they go once the outbox has nothing more to send.
    for (const h of this.held.unsent().slice(0, room - messages.length)) {
      h.sent = true;
      this.inflight++;
      client.publish(h.item.topic, h.item.payload, { qos: 1, properties: h.item.properties }, (err) => this.onHeldAck(h, err));
    }
  }

  private onHeldAck(h: Held, err: Error | undefined): void {
    this.inflight--;
    if (err) {
      h.sent = false;
      this.log.warn({ camera: h.item.camera, eventId: h.item.eventId, err }, 'held alert not acknowledged: sent again');
    } else {
      this.delivered++;
      this.held.delivered(h);
      const d: Delivery = { message: { ...h.message }, ackedAt: Date.now() };
      const done = (this.ctx.recordDelivery?.(d) ?? Promise.resolve())
        .then(() => void this.emit('delivered', d))
        .catch((e: unknown) => this.log.error({ eventId: h.item.eventId, err: e }, 'delivery of a held alert not recorded'));
      this.recording.add(done);
      void done.finally(() => this.recording.delete(done));
    }
    this.pump();
  }

  private onAck(message: OutboxMessage, err: Error | undefined): void {
    this.inflight--;
    if (!this.outbox) return;
    if (!err) {
      this.delivered++;
      const done = this.recordThenForget({ message, ackedAt: Date.now() });
      this.recording.add(done);
      void done
        .catch((err: unknown) => this.log.error({ eventId: message.eventId, err }, 'delivery bookkeeping failed'))
        .finally(() => this.recording.delete(done));
    } else if (err instanceof ErrorWithReasonCode && err.code >= 0x80) {
      const drop = this.outbox.reject(message.id, `broker refused it: ${err.message} (reason 0x${err.code.toString(16)})`);
      if (drop) this.reportDrops([drop]);
    } else {
      this.log.warn(
        { camera: message.camera, eventId: message.eventId, topic: message.topic, err },
        'publish not acknowledged: kept in the outbox for the next start',
      );
    }
    this.pump();
  }

  /** PUBACK → the delivery's record on disk → the outbox row deleted, in this order. */
  private async recordThenForget(d: Delivery): Promise<void> {
    try {
      await this.ctx.recordDelivery?.(d);
    } catch (err) {
      this.log.error(
        { camera: d.message.camera, eventId: d.message.eventId, err },
        'delivery not recorded: the message stays in the outbox and is sent (and recorded) again at the next start',
      );
      return;
    }
    // Closed meanwhile (stop timed out): the row stays and the next start sends and records it again.
    if (!this.outbox) return;
    try {
      this.outbox.remove(d.message.id);
    } catch (err) {
      // A full disk refuses even a delete (SQLite's journal): the row stays, and the next start sends it again.
      if (!HeldAlerts.isDiskFull(err)) throw err;
      this.log.warn({ eventId: d.message.eventId, err }, 'delivered message not removed from the full outbox');
    }
    this.emit('delivered', d);
  }

  /**
   * While the next attempt is a long backoff away, the broker's port is probed: once it has refused and then answers
   * (the broker back after an outage), the box reconnects now. A broker that answers TCP but refuses MQTT keeps its
   * backoff (see `watchForReturn`), so a misconfigured broker is not hammered.
   */
  private probeDuringBackoff(client: MqttClient, url: string): void {
    this.stopProbe?.();
    const addr = streamAddress(url, brokerPorts);
    if (!addr || client.options.reconnectPeriod === undefined || client.options.reconnectPeriod <= 2 * BROKER_PROBE_MS) return;
    this.stopProbe = watchForReturn(addr, BROKER_PROBE_MS, () => {
      if (this.stopping || client.connected) return;
      this.log.info({ url }, 'broker answers again; reconnecting now');
      // The stores passed on: messages handed to mqtt.js before the outage are re-sent by it, not forgotten.
      client.reconnect({ incomingStore: client.incomingStore, outgoingStore: client.outgoingStore });
    });
  }

  private onClientError(err: Error): void {
    const client = this.client;
    const code = err instanceof ErrorWithReasonCode ? err.code : undefined;
    // 1 (3.1.1 "unacceptable protocol version") or 0x84 (MQTT 5 "unsupported protocol version"): e.g. the embedded aedes broker.
    if (client && client.options.protocolVersion === 5 && (code === 1 || code === 0x84)) {
      this.log.warn({ code }, 'broker refused MQTT 5: this connection falls back to MQTT 3.1.1');
      client.options.protocolVersion = 4;
      client.options.reconnectPeriod = this.cfg.reconnectMinSeconds * 1000;
      return;
    }
    this.log.error({ err, code }, 'MQTT client error');
  }

  /** A command is acknowledged once it is answered: a box that stops before that gets it again from the broker. */
  private receiveCommands(client: MqttClient): void {
    acknowledgeWhenHandled(client, (packet, late) => {
      const props = packet.properties;
      this.handleInbound({
        topic: packet.topic,
        payload: Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
        ...(props?.responseTopic ? { responseTopic: props.responseTopic } : {}),
        ...(props?.correlationData ? { correlationData: props.correlationData } : {}),
        ack: () =>
          late.ack((err) =>
            this.log.warn({ err, topic: packet.topic }, 'acknowledging a handled command failed: the broker sends it again'),
          ),
      });
    });
  }

  private handleInbound(m: InboundMessage & { ack: () => void }): void {
    const served = this.served;
    if (!served) {
      if (this.early.length >= MAX_EARLY_MESSAGES) {
        this.log.warn(
          { topic: m.topic, held: MAX_EARLY_MESSAGES },
          'message received before it could be handled, and too many are waiting: left unacknowledged for the broker to send again',
        );
      } else {
        this.early.push(m);
      }
      return;
    }
    const { ack, ...message } = m;
    served
      .handler(message)
      .then((out) => {
        for (const o of out) this.client?.publish(o.topic, o.payload, { qos: 1, properties: o.properties });
        ack();
      })
      .catch((err: Error) => this.log.error({ err, topic: m.topic }, 'message handler failed without an answer'));
  }

  private async subscribeServed(): Promise<void> {
    const client = this.client;
    const filter = this.served?.filter;
    if (!client || !filter) return;
    try {
      const granted = await client.subscribeAsync(filter, { qos: 1 });
      if (granted.some((g) => g.qos > 2)) this.log.error({ topic: filter }, 'subscription refused by the broker (check its ACL)');
    } catch (err) {
      this.log.error({ err, topic: filter }, 'subscription failed');
    }
  }

  /** After every (re)connect: the status (the will may have replaced it) and the latest health of every camera. */
  private announce(): void {
    this.status = { ...this.status, online: true, at: new Date().toISOString() };
    this.sendRetained(this.topics.status, this.status, statusProperties());
    for (const h of this.health.values()) this.publishHealthNow(h);
  }

  private publishHealthNow(h: CameraHealth): void {
    this.sendRetained(this.topics.health(h.camera), h, healthProperties(h.camera));
  }

  private sendRetained(topic: string, payload: unknown, properties: PublishProperties): void {
    this.client?.publish(topic, JSON.stringify(payload), { qos: 1, retain: true, properties });
  }

  private will() {
    const payload: Status = { ...this.status, online: false, at: new Date().toISOString() };
    return { topic: this.topics.status, payload: Buffer.from(JSON.stringify(payload)), properties: statusProperties() };
  }

  private expire(): void {
    try {
      if (this.outbox) this.reportDrops(this.outbox.expire(this.handedUpTo));
    } catch (err) {
      if (!HeldAlerts.isDiskFull(err)) throw err;
      this.log.warn({ err }, 'expired messages not removed from the full outbox: tried again later');
    }
  }

  private reportDrops(drops: OutboxDrop[]): void {
    for (const d of drops) this.emit('dropped', d);
  }
}

/** Convenience for the composition root. */
export function createPublisher(cfg: MqttConfig, ctx: PublisherContext, log: Logger): Publisher {
  return new Publisher(cfg, ctx, log);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout<T>(p: Promise<T>, deadline: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), Math.max(0, deadline - Date.now()));
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
