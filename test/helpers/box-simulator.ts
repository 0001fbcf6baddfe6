import { createHash } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import sharp from 'sharp';
import { ALERT_SCHEMA_ID, type Alert, alertSchema } from '../../agent/src/contract/alert.ts';
import { type CameraHealth, cameraHealthSchema, statusSchema } from '../../agent/src/contract/health.ts';
import { sample } from './paths.ts';

/** A real annotated-snapshot-sized JPEG of the street sample, made once. */
let baseJpeg: Promise<Buffer> | undefined;
export function streetJpeg(): Promise<Buffer> {
  baseJpeg ??= sharp(sample('street.png')).resize(640).jpeg({ quality: 70 }).toBuffer();
  return baseJpeg;
}

/** A distinct valid JPEG per label: a COM segment right after SOI carries the label (decoders skip it). */
export function labelledJpeg(base: Buffer, label: string): Buffer {
  const text = Buffer.from(label, 'utf8');
  const seg = Buffer.alloc(4 + text.length);
  seg.writeUInt16BE(0xfffe, 0);
  seg.writeUInt16BE(text.length + 2, 2);
  text.copy(seg, 4);
  return Buffer.concat([base.subarray(0, 2), seg, base.subarray(2)]);
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A streaming camera's health as a box publishes it, at `at` (ISO time). */
export function cameraHealth(camera: string, at: string): CameraHealth {
  return cameraHealthSchema.parse({
    camera,
    state: 'streaming',
    since: at,
    targetFps: 5,
    analysedFps: 5,
    skippedFrames: 0,
    analysedFrames: 100,
    lastFrameAgeSeconds: 0.1,
    reconnects: 0,
    at,
  });
}

/** A schema-valid `jifang.event/1` as a box of `site` would publish it. */
export function makeAlert(o: {
  root?: string;
  site: string;
  camera: string;
  id: string;
  seq: number;
  state: Alert['state'];
  jpeg: Buffer;
  at?: number;
  type?: Alert['type'];
  lon?: number;
  lat?: number;
  thumbnail?: string;
}): Alert {
  const root = o.root ?? 'jifang/v1';
  const at = o.at ?? Date.now();
  const alert: Alert = {
    schema: ALERT_SCHEMA_ID,
    id: o.id,
    seq: o.seq,
    type: o.type ?? 'illegal_parking',
    state: o.state,
    site: o.site,
    camera: o.camera,
    cameraName: `Camera ${o.camera}`,
    zone: 'kerb',
    zoneName: 'Kerb',
    startedAt: new Date(at - o.seq * 30_000 - 15_000).toISOString(),
    observedAt: new Date(at).toISOString(),
    ...(o.state === 'ended' || o.state === 'cleared' ? { endedAt: new Date(at).toISOString() } : {}),
    dwellSeconds: 15 + o.seq * 30,
    objects: [
      {
        label: 'car',
        score: 0.81,
        trackId: 3,
        box: { x: 0.08, y: 0.64, width: 0.22, height: 0.21 },
        geo: { type: 'Point', coordinates: [o.lon ?? 121.4738, o.lat ?? 31.2305] },
      },
    ],
    location: { type: 'Point', coordinates: [o.lon ?? 121.4738, o.lat ?? 31.2305] },
    locationSource: 'calibrated',
    address: `No. 1 Demo Street (${o.site})`,
    evidence: {
      snapshot: {
        sha256: sha(o.jpeg),
        bytes: o.jpeg.length,
        width: 640,
        height: 324,
        topic: `${root}/${o.site}/${o.camera}/events/${o.id}/snapshot`,
      },
      ...(o.thumbnail ? { thumbnail: { mime: 'image/jpeg' as const, base64: o.thumbnail, width: 160, height: 81 } } : {}),
    },
    rule: {
      id: 'no-parking',
      type: 'illegal_parking',
      description: 'A vehicle stopped in the kerb zone for at least 15 s.',
      parameters: { dwellSeconds: 15 },
    },
    model: { name: 'picodet_s_416_coco', sha256: 'cdab77bdde16e4f76bec734c4e5791801d1739e4c7ec1995e0e110e04300d0c2' },
    agent: { version: '0.1.0', boxId: `box-${o.site}` },
  };
  return alertSchema.parse(alert);
}

export interface SimulatedBoxes {
  /** Every (event id, seq) published and acknowledged by the broker. */
  published: { id: string; seq: number; at: number }[];
  snapshots: Set<string>;
  close(): Promise<void>;
}

/**
 * `boxes` boxes publishing the real contract (retained status and health, events started → updated → ended, each with
 * its snapshot) through a few MQTT connections, one client id per box as a real box has.
 */
export async function simulateBoxes(o: {
  url: string;
  boxes: number;
  eventsPerBox: number;
  root?: string;
  messagesPerEvent?: number;
  concurrency?: number;
}): Promise<SimulatedBoxes> {
  const root = o.root ?? 'jifang/v1';
  const base = await streetJpeg();
  const published: SimulatedBoxes['published'] = [];
  const snapshots = new Set<string>();
  const perEvent = o.messagesPerEvent ?? 3;
  const clients: MqttClient[] = [];
  const runBox = async (b: number) => {
    const site = `sim-${String(b).padStart(3, '0')}`;
    const statusTopic = `${root}/${site}/status`;
    const client = await mqtt.connectAsync(o.url, {
      protocolVersion: 5,
      clientId: `jifang-${site}-box`,
      reconnectPeriod: 500,
      will: {
        topic: statusTopic,
        payload: Buffer.from(
          JSON.stringify(
            statusSchema.parse({
              online: false,
              agentVersion: '0.1.0',
              boxId: `box-${site}`,
              at: new Date().toISOString(),
              cameras: [{ id: 'cam-1' }],
            }),
          ),
        ),
        qos: 1,
        retain: true,
      },
    });
    clients.push(client);
    const now = () => new Date().toISOString();
    await client.publishAsync(
      statusTopic,
      JSON.stringify(
        statusSchema.parse({
          online: true,
          agentVersion: '0.1.0',
          boxId: `box-${site}`,
          startedAt: now(),
          at: now(),
          cameras: [{ id: 'cam-1', name: 'Camera 1', state: 'streaming' }],
        }),
      ),
      { qos: 1, retain: true },
    );
    const health = cameraHealth('cam-1', now());
    await client.publishAsync(`${root}/${site}/cam-1/health`, JSON.stringify(health), { qos: 1, retain: true });
    for (let e = 0; e < o.eventsPerBox; e++) {
      const id = `${site}-ev-${e}`;
      for (let seq = 0; seq < perEvent; seq++) {
        const state = seq === 0 ? 'started' : seq === perEvent - 1 ? 'ended' : 'updated';
        const jpeg = labelledJpeg(base, `${id}:${seq}`);
        const alert = makeAlert({
          root,
          site,
          camera: 'cam-1',
          id,
          seq,
          state,
          jpeg,
          lon: 121.47 + b * 0.0005,
          lat: 31.23 + (e % 10) * 0.0003,
        });
        const at = Date.now();
        await Promise.all([
          client.publishAsync(`${root}/${site}/cam-1/events`, JSON.stringify(alert), { qos: 1 }),
          client.publishAsync(alert.evidence.snapshot!.topic, jpeg, { qos: 1 }),
        ]);
        published.push({ id, seq, at });
        snapshots.add(alert.evidence.snapshot!.sha256);
      }
    }
  };
  const concurrency = o.concurrency ?? 20;
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, o.boxes) }, async () => {
      while (next < o.boxes) await runBox(next++);
    }),
  );
  return { published, snapshots, close: async () => void (await Promise.all(clients.map((c) => c.endAsync()))) };
}
