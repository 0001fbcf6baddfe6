import mqtt, { type MqttClient } from 'mqtt';
import sharp from 'sharp';
import { cameraHealthSchema, statusSchema } from '../../agent/src/contract/health.ts';
import { labelledJpeg, makeAlert } from './box-simulator.ts';
import { sample } from './paths.ts';

/**
 * A city's fleet as the center hears it: `boxes` boxes of `cameras` cameras each, every camera sending its health every
 * `healthEverySeconds` and raising alerts at a street's rate (started, updated 15 s later, ended 15 s after that, each
 * message with its snapshot), every box its retained status once. The real contract over real MQTT (QoS 1), through a
 * few connections (the center does not care which connection a topic comes on).
 */
export interface FleetOptions {
  url: string;
  root?: string;
  boxes: number;
  cameras: number;
  /** Fleet time simulated, in seconds. */
  seconds: number;
  /**
   * The fleet second to start at (0): a fleet that goes on from an earlier run's last second, its boxes connected all
   * along — no status again, its alerts going on where they were (their ids are their fleet seconds').
   */
  from?: number;
  /** Fleet seconds per second of the clock: 1 is real time, Infinity as fast as the broker takes them. */
  speed?: number;
  healthEverySeconds?: number;
  alertsPerCameraHour?: number;
  connections?: number;
  /** Width of the snapshots, re-encoded from the street sample at the box's default quality (85). */
  snapshotWidth?: number;
  /** Before each fleet second: a way to pause the fleet (or do something at a given time). */
  onSecond?: (second: number) => Promise<void> | void;
  /**
   * Every message made before the first is published (the bench: publishing then costs only publishing, and the
   * fleet's CPU is not taken from the centers while they archive). Memory: all of them at once.
   */
  prebuild?: boolean;
  /** Called once connected (and with `prebuild`, once every message is made), just before the first publish. */
  onPublishing?: () => void;
}

export interface FleetRun {
  /** Every event message published and acknowledged by the broker, as `site/id/seq`. */
  events: string[];
  /** SHA-256 of every snapshot published. */
  snapshots: Set<string>;
  /** The last health published per camera (`site/camera` → its `at`). */
  latestHealth: Map<string, string>;
  messages: { status: number; health: number; events: number; snapshots: number; total: number };
  /** Bytes of snapshot published. */
  snapshotBytes: number;
}

const LIFECYCLE: { after: number; state: 'started' | 'updated' | 'ended' }[] = [
  { after: 0, state: 'started' },
  { after: 15, state: 'updated' },
  { after: 30, state: 'ended' },
];

/** The street sample at a camera's evidence size, the JPEG every snapshot is made from (each labelled apart). */
export async function fleetJpeg(width: number): Promise<Buffer> {
  return sharp(sample('street.png')).resize(width).jpeg({ quality: 85 }).toBuffer();
}

type Out = { topic: string; payload: string | Buffer; retain?: boolean };

type Resolved = Required<Omit<FleetOptions, 'onSecond' | 'onPublishing' | 'from'>>;

/** What camera `c` of box `b` publishes in fleet second `s`. */
function dueAt(o: Resolved, base: Buffer, t0: number, b: number, c: number, s: number, run: FleetRun): Out[] {
  const site = `fleet-${String(b).padStart(4, '0')}`;
  const camera = `cam-${String(c + 1).padStart(2, '0')}`;
  const out: Out[] = [];
  const spread = (b * o.cameras + c) * 7919;
  if ((s + spread) % o.healthEverySeconds === 0) {
    const at = new Date(t0 + s * 1000).toISOString();
    out.push({ topic: `${o.root}/${site}/${camera}/health`, payload: JSON.stringify({ ...healthTemplate, camera, at }), retain: true });
    run.latestHealth.set(`${site}/${camera}`, at);
  }
  const period = Math.round(3600 / o.alertsPerCameraHour);
  for (const step of LIFECYCLE) {
    const since = s - step.after - (spread % period);
    if (since < 0 || since % period !== 0) continue;
    const id = `${site}-${camera}-a${since / period}`;
    const seq = LIFECYCLE.indexOf(step);
    const jpeg = labelledJpeg(base, `${id}:${seq}`);
    const alert = makeAlert({
      root: o.root,
      site,
      camera,
      id,
      seq,
      state: step.state,
      jpeg,
      at: t0 + s * 1000,
      lon: 121.4 + b * 1e-4,
      lat: 31.2 + c * 1e-4,
    });
    out.push({ topic: `${o.root}/${site}/${camera}/events`, payload: JSON.stringify(alert) });
    out.push({ topic: alert.evidence.snapshot!.topic, payload: jpeg });
    run.events.push(`${site}/${id}/${seq}`);
    run.snapshots.add(alert.evidence.snapshot!.sha256);
    run.snapshotBytes += jpeg.length;
  }
  return out;
}

const healthTemplate = cameraHealthSchema.parse({
  camera: 'cam-01',
  state: 'streaming',
  since: new Date(0).toISOString(),
  targetFps: 5,
  analysedFps: 5,
  skippedFrames: 0,
  analysedFrames: 1000,
  lastFrameAgeSeconds: 0.1,
  reconnects: 0,
  at: new Date(0).toISOString(),
});

/** Runs the fleet for `seconds` of fleet time; resolves once the broker has acknowledged every message. */
export async function runFleet(opts: FleetOptions): Promise<FleetRun> {
  const o = {
    root: 'jifang/v1',
    speed: 1,
    healthEverySeconds: 10,
    alertsPerCameraHour: 6,
    connections: 20,
    snapshotWidth: 1280,
    prebuild: false,
    ...opts,
  };
  const base = await fleetJpeg(o.snapshotWidth);
  const run: FleetRun = {
    events: [],
    snapshots: new Set(),
    latestHealth: new Map(),
    messages: { status: 0, health: 0, events: 0, snapshots: 0, total: 0 },
    snapshotBytes: 0,
  };
  const clients: MqttClient[] = await Promise.all(
    Array.from({ length: o.connections }, (_, i) =>
      mqtt.connectAsync(o.url, { protocolVersion: 5, clientId: `jifang-fleet-${i}-${process.pid}`, reconnectPeriod: 500 }),
    ),
  );
  let next = 0;
  const publish = (m: Out) => {
    const kind = m.topic.endsWith('/health')
      ? 'health'
      : m.topic.endsWith('/snapshot')
        ? 'snapshots'
        : m.topic.endsWith('/status')
          ? 'status'
          : 'events';
    run.messages[kind]++;
    run.messages.total++;
    return clients[next++ % clients.length].publishAsync(m.topic, m.payload, { qos: 1, retain: m.retain ?? false });
  };
  const from = opts.from ?? 0;
  try {
    // Fleet second `from` is now.
    const t0 = Date.now() - from * 1000;
    const build = (s: number): Out[] => {
      const out: Out[] = [];
      for (let b = 0; b < o.boxes; b++) for (let c = 0; c < o.cameras; c++) out.push(...dueAt(o, base, t0, b, c, s, run));
      return out;
    };
    const built = o.prebuild ? Array.from({ length: o.seconds }, (_, i) => build(from + i)) : [];
    opts.onPublishing?.();
    if (from === 0) await Promise.all(Array.from({ length: o.boxes }, (_, b) => publish(statusOf(o.root, b, o.cameras, t0))));
    const started = performance.now();
    for (let i = 0; i < o.seconds; i++) {
      await o.onSecond?.(from + i);
      await Promise.all((built[i] ?? build(from + i)).map(publish));
      built[i] = [];
      const wait = started + ((i + 1) * 1000) / o.speed - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    return run;
  } finally {
    await Promise.all(clients.map((c) => c.endAsync()));
  }
}

function statusOf(root: string, b: number, cameras: number, at: number): Out {
  const site = `fleet-${String(b).padStart(4, '0')}`;
  const status = statusSchema.parse({
    online: true,
    agentVersion: '0.1.0',
    boxId: `box-${site}`,
    startedAt: new Date(at).toISOString(),
    at: new Date(at).toISOString(),
    cameras: Array.from({ length: cameras }, (_, c) => ({ id: `cam-${String(c + 1).padStart(2, '0')}`, state: 'streaming' })),
  });
  return { topic: `${root}/${site}/status`, payload: JSON.stringify(status), retain: true };
}
