import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertSchema } from '../../agent/src/contract/alert.ts';
import { type CameraHealth, statusSchema } from '../../agent/src/contract/health.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { mqttConfigSchema } from '../../agent/src/publish/config.ts';
import { type EmbeddedBroker, startEmbeddedBroker } from '../../agent/src/publish/embedded-broker.ts';
import { createPublisher, type Delivery, type Publisher } from '../../agent/src/publish/publisher.ts';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.ts';
import { type Subscriber, subscribe } from '../helpers/mqtt-subscriber.ts';
import { freePort } from '../helpers/ports.ts';
import { makeAlert, sampleJpeg } from './fixtures/alerts.ts';

const site = 'site-a';
const ctx = (dataDir: string, url: string) => ({ site, boxId: 'box-1', agentVersion: '0.1.0', dataDir, url, cameras: [{ id: 'cam-1' }] });
const health = (camera: string): CameraHealth => ({
  camera,
  state: 'streaming',
  since: new Date().toISOString(),
  targetFps: 5,
  analysedFps: 4.9,
  skippedFrames: 3,
  analysedFrames: 120,
  lastFrameAgeSeconds: 0.1,
  reconnects: 0,
  at: new Date().toISOString(),
});

describe('publisher against a real mosquitto (MQTT 5)', () => {
  let broker: Mosquitto;
  let sub: Subscriber;
  let pub: Publisher;
  const delivered: Delivery[] = [];

  beforeAll(async () => {
    broker = await startMosquitto();
    sub = await subscribe(broker.url, `jifang/v1/${site}/#`);
    pub = createPublisher(
      mqttConfigSchema.parse({ url: broker.url }),
      ctx(mkdtempSync(join(tmpdir(), 'jifang-pub-')), broker.url),
      silentLogger,
    );
    pub.on('delivered', (d) => delivered.push(d));
    await pub.start();
    await pub.whenConnected(10_000);
  });
  afterAll(async () => {
    await pub?.stop();
    await sub?.close();
    await broker?.stop();
  });

  it('connects with MQTT 5 and publishes a retained online status', async () => {
    expect(pub.stats().protocolVersion).toBe(5);
    const [msg] = await sub.waitFor((m) => m.topic === `jifang/v1/${site}/status`);
    const status = statusSchema.parse(JSON.parse(msg.payload.toString()));
    expect(status).toMatchObject({ online: true, boxId: 'box-1', agentVersion: '0.1.0', cameras: [{ id: 'cam-1' }] });
    expect(msg.packet.properties?.contentType).toBe('application/json');
  });

  it('delivers a schema-valid alert and its snapshot, whose SHA-256 matches the alert', async () => {
    const jpeg = sampleJpeg();
    const alert = await makeAlert({ site, camera: 'cam-1', id: 'evt-snap' }, jpeg);
    await pub.publishEvent(alert, jpeg);

    const [event] = await sub.waitFor((m) => m.topic === `jifang/v1/${site}/cam-1/events`);
    const received = alertSchema.parse(JSON.parse(event.payload.toString()));
    // Numbered by the box: its first alert.
    expect(received).toEqual({ ...alert, publication: 1 });
    expect(event.packet.qos).toBe(1);
    expect(event.packet.properties?.userProperties).toMatchObject({ schema: 'jifang.event/1', type: 'illegal_parking', camera: 'cam-1' });

    const [snap] = await sub.waitFor((m) => m.topic === received.evidence.snapshot?.topic);
    expect(snap.topic).toBe(`jifang/v1/${site}/cam-1/events/evt-snap/snapshot`);
    expect(createHash('sha256').update(snap.payload).digest('hex')).toBe(received.evidence.snapshot?.sha256);
    expect(snap.packet.properties?.contentType).toBe('image/jpeg');

    await expect
      .poll(() => delivered.filter((d) => d.message.eventId === 'evt-snap').map((d) => d.message.kind))
      .toEqual(['event', 'snapshot']);
    expect(pub.stats().outbox.messages).toBe(0);
  });

  it('refuses an alert whose evidence does not describe the snapshot given, queueing nothing', async () => {
    const alert = await makeAlert({ site, camera: 'cam-1', id: 'evt-bad' }, sampleJpeg('dog.jpg'));
    await expect(pub.publishEvent(alert, sampleJpeg('bus.jpg'))).rejects.toThrow(/evidence\.snapshot must describe the JPEG/);
    expect(pub.stats().outbox.messages).toBe(0);
  });

  it('retains the latest health per camera, so a late subscriber sees it', async () => {
    pub.publishHealth({ ...health('cam-1'), analysedFps: 3.5 });
    await sub.waitFor((m) => m.topic === `jifang/v1/${site}/cam-1/health`);
    const late = await subscribe(broker.url, `jifang/v1/${site}/cam-1/health`);
    try {
      const [msg] = await late.waitFor(() => true);
      expect(msg.packet.retain).toBe(true);
      expect(JSON.parse(msg.payload.toString())).toMatchObject({ camera: 'cam-1', analysedFps: 3.5 });
    } finally {
      await late.close();
    }
  });

  it('publishes metrics at QoS 0 with a message expiry of two intervals', async () => {
    expect(pub.publishMetrics({ analysedFps: 9.5 })).toBe(true);
    const [msg] = await sub.waitFor((m) => m.topic === `jifang/v1/${site}/metrics`);
    expect(msg.packet.qos).toBe(0);
    expect(JSON.parse(msg.payload.toString())).toEqual({ analysedFps: 9.5 });
    expect(msg.packet.properties?.messageExpiryInterval).toBeGreaterThan(0);
    expect(msg.packet.properties?.messageExpiryInterval).toBeLessThanOrEqual(60);
  });

  it('stop() leaves a retained online:false status', async () => {
    await pub.stop();
    const late = await subscribe(broker.url, `jifang/v1/${site}/status`);
    try {
      const [msg] = await late.waitFor(() => true);
      expect(JSON.parse(msg.payload.toString())).toMatchObject({ online: false, boxId: 'box-1' });
    } finally {
      await late.close();
    }
  });
});

describe('publisher against the embedded broker (aedes, MQTT 3.1.1 only)', () => {
  let broker: EmbeddedBroker;
  let pub: Publisher;

  beforeAll(async () => {
    broker = await startEmbeddedBroker(
      { port: 0, dataDir: mkdtempSync(join(tmpdir(), 'jifang-aedes-')), prefix: `jifang/v1/${site}`, agentClientId: 'jifang-site-a-box-1' },
      silentLogger,
    );
  });
  afterAll(async () => {
    await pub?.stop();
    await broker?.close();
  });

  it('falls back from MQTT 5 to 3.1.1 by itself and delivers alerts', async () => {
    const operator = JSON.parse(readFileSync(broker.credentialsFile, 'utf8')).operator;
    const sub = await subscribe(broker.url, `jifang/v1/${site}/+/events`, { protocolVersion: 4, ...operator });
    try {
      pub = createPublisher(
        mqttConfigSchema.parse({ url: broker.url, reconnectMinSeconds: 0.2, ...broker.agent }),
        ctx(mkdtempSync(join(tmpdir(), 'jifang-pub-')), broker.url),
        silentLogger,
      );
      await pub.start();
      await pub.whenConnected(10_000);
      expect(pub.stats().protocolVersion).toBe(4);
      const alert = await makeAlert({ site, camera: 'cam-1', id: 'evt-aedes' });
      await pub.publishEvent(alert);
      const [msg] = await sub.waitFor(() => true);
      expect(JSON.parse(msg.payload.toString())).toEqual({ ...alert, publication: 1 });
    } finally {
      await sub.close();
    }
  });
});

describe('protocol fall-back lasts one session', () => {
  it('returns to MQTT 5 once the broker on the same address accepts it', async () => {
    const port = await freePort();
    const aedes = await startEmbeddedBroker(
      { port, dataDir: mkdtempSync(join(tmpdir(), 'jifang-aedes-')), prefix: `jifang/v1/${site}`, agentClientId: 'jifang-site-a-box-1' },
      silentLogger,
    );
    const url = `mqtt://127.0.0.1:${port}`;
    const p = createPublisher(
      mqttConfigSchema.parse({ url, reconnectMinSeconds: 0.2, reconnectMaxSeconds: 0.5, ...aedes.agent }),
      ctx(mkdtempSync(join(tmpdir(), 'jifang-pub-')), url),
      silentLogger,
    );
    let mosquitto: Mosquitto | undefined;
    try {
      await p.start();
      await p.whenConnected(10_000);
      expect(p.stats().protocolVersion).toBe(4);
      // The 3.1.1-only broker goes; an MQTT 5 broker takes its address.
      const back = new Promise<number>((resolve) => p.on('connected', (c) => resolve(c.protocolVersion)));
      await aedes.close();
      mosquitto = await startMosquitto({ port });
      expect(await back).toBe(5);
      expect(p.stats().protocolVersion).toBe(5);
    } finally {
      await p.stop();
      await mosquitto?.stop();
    }
  }, 60_000);
});
