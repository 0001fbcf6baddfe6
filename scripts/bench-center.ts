/**
 * `npm run bench:center`: the command center's figures on this machine (not a test), for a city's fleet.
 *   1. a simulated fleet (BENCH_BOXES boxes × BENCH_CAMERAS cameras, health every 10 s, BENCH_ALERTS alerts per camera
 *      and hour, each alert 3 messages with its 1280-pixel snapshot of the street sample) publishes BENCH_SECONDS of its
 *      traffic as fast as the broker takes it; the messages/s at which one instance, then two sharing one MQTT 5
 *      shared subscription, archive it into PostgreSQL — beside PostgreSQL's own insert rate for the same rows;
 *   2. alert published → in the browser's feed (SSE), p50/p99, while the fleet publishes in real time;
 *   3. PostgreSQL rows and bytes per 10,000 event messages, and the snapshot JPEGs' bytes (files beside it).
 * Real mosquitto, a throwaway PostgreSQL cluster; the fleet publishes from a process of its own (scripts/bench-fleet.ts).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import pg from 'pg';
import { parseCenterConfig } from '../agent/src/center/config.ts';
import { type Center, startCenter } from '../agent/src/center/service.ts';
import { openPostgresStore } from '../agent/src/center/store/postgres.ts';
import { silentLogger } from '../agent/src/core/log.ts';
import { setPassword } from '../agent/src/web/passwords.ts';
import { labelledJpeg, makeAlert, simulateBoxes } from '../test/helpers/box-simulator.ts';
import { fleetJpeg } from '../test/helpers/fleet-simulator.ts';
import { startMosquitto } from '../test/helpers/mosquitto.ts';
import { projectRoot } from '../test/helpers/paths.ts';
import { startPostgres } from '../test/helpers/postgres.ts';

const BOXES = Number(process.env.BENCH_BOXES ?? 1000);
const CAMERAS = Number(process.env.BENCH_CAMERAS ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const ALERTS = Number(process.env.BENCH_ALERTS ?? 6);
const EVENTS_PER_BOX = Number(process.env.BENCH_EVENTS ?? 5);
const PROBES = Number(process.env.BENCH_PROBES ?? 200);
/** Boxes of the fleet publishing in real time while the latency is measured (the whole fleet unless said). */
const LATENCY_BOXES = Number(process.env.BENCH_LATENCY_BOXES ?? BOXES);
/** Each center with its alert lane (mqtt.alertLane), unless BENCH_ALERT_LANE=0. */
const LANE = process.env.BENCH_ALERT_LANE !== '0';

const dir = mkdtempSync(join(tmpdir(), 'jifang-bench-center-'));
// Sessions hold the whole backlog while the centers are away.
const broker = await startMosquitto({ extraConfig: 'allow_anonymous true\nmax_queued_messages 0\nmax_queued_bytes 0', persistence: false });
const pgc = await startPostgres();
const users = join(dir, 'users');
await setPassword(users, 'bench', 'admin', 'bench-pass-1');

const fleetOptions = { url: broker.url, boxes: BOXES, cameras: CAMERAS, alertsPerCameraHour: ALERTS };

interface Published {
  events: string[];
  snapshots: string[];
  latestHealth: [string, string][];
  messages: { status: number; health: number; events: number; snapshots: number; total: number };
  snapshotBytes: number;
}

/** The fleet for `seconds` of its time, from its own process; `speed` null: as fast as the broker takes it. */
function publishFleet(seconds: number, speed: number | null, boxes = BOXES): Promise<Published> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(projectRoot, 'scripts/bench-fleet.ts'), JSON.stringify({ ...fleetOptions, boxes, seconds, speed })],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Published) : reject(new Error(`the fleet exited with ${code}`))));
  });
}

async function centersOn(db: string, url: string, n: number): Promise<Center[]> {
  const out: Center[] = [];
  for (let i = 0; i < n; i++) {
    const cfg = parseCenterConfig(
      {
        mqtt: {
          url: broker.url,
          sharedGroup: db,
          clientId: `${db}-${i}`,
          ...(LANE ? { alertLane: { clientId: `${db}-${i}-alerts` } } : {}),
        },
        storage: { kind: 'postgres', url, poolSize: 4 },
        http: { port: 0 },
        users,
        logLevel: 'silent',
      },
      'bench.yaml',
      dir,
    );
    out.push(await startCenter(cfg, silentLogger));
  }
  return out;
}

interface Rate {
  seconds: number;
  perSecond: number;
  /** CPU time this process (the centers) used per message published: steadier than messages/s on a shared machine. */
  cpuMsPerMessage: number;
  handled: number[];
  lostEvents: number;
  lostSnapshots: number;
  staleHealth: number;
  duplicates: number;
  deadLetters: number;
  /** Transactions that failed for the store's sake (a deadlock between instances, say) and were written again. */
  storeFailures: number;
}

/** What the archive lacks of what the fleet published (0 when all is there). */
async function missing(url: string, p: Published): Promise<{ events: number; snapshots: number; health: number }> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const n = async (sql: string) => Number((await db.query(sql)).rows[0].n);
    const events = p.events.length - (await n('SELECT COUNT(*) AS n FROM event_messages'));
    const snapshots = p.snapshots.length - (await n('SELECT COUNT(*) AS n FROM snapshots'));
    const latest = new Map(p.latestHealth);
    // The cameras are read once the rest is there (16,000 rows: not on every look).
    if (events + snapshots > 0) return { events, snapshots, health: latest.size };
    const cams = (await db.query('SELECT site, camera, health_at FROM cameras')).rows as {
      site: string;
      camera: string;
      health_at: number;
    }[];
    const fresh = cams.filter((c) => latest.get(`${c.site}/${c.camera}`) === new Date(Number(c.health_at)).toISOString()).length;
    return { events, snapshots, health: latest.size - fresh };
  } finally {
    await db.end();
  }
}

/**
 * The fleet's traffic archived by `n` instances: they run, the fleet publishes BENCH_SECONDS of its traffic as fast as
 * the broker takes it (what the centers cannot take at once waits in their sessions), and the clock runs from the
 * fleet's start until the archive holds everything published. (A backlog published while a shared group is away is
 * not a measure on mosquitto 2.0: it did not deliver the group's queued messages when the instances came back.)
 */
async function ingestRate(n: number): Promise<Rate & { published: Published; url: string }> {
  const url = pgc.createDatabase(`rate${n}`);
  const centers = await centersOn(`rate${n}`, url, n);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const published = await publishFleet(SECONDS, null);
  // Done when the archive holds everything; given up only when nothing moved for a minute (the machine is shared).
  const moved = () => centers.reduce((sum, c) => sum + c.counters.events + c.counters.snapshots + c.counters.duplicates, 0);
  let left = await missing(url, published);
  for (let quiet = Date.now(), last = moved(); Date.now() - quiet < 60_000 && left.events + left.snapshots + left.health > 0; ) {
    await new Promise((r) => setTimeout(r, 250));
    const now = await missing(url, published);
    if (now.events + now.snapshots + now.health < left.events + left.snapshots + left.health || moved() > last) quiet = Date.now();
    last = moved();
    left = now;
  }
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const handled = centers.map((c) => c.counters.received);
  const duplicates = centers.reduce((sum, c) => sum + c.counters.duplicates, 0);
  const deadLetters = centers.reduce((sum, c) => sum + c.counters.deadLetters, 0);
  const storeFailures = centers.reduce((sum, c) => sum + c.counters.storeFailures, 0);
  for (const c of centers) await c.close();
  return {
    seconds,
    perSecond: published.messages.total / seconds,
    cpuMsPerMessage: (used.user + used.system) / 1000 / published.messages.total,
    handled,
    lostEvents: left.events,
    lostSnapshots: left.snapshots,
    staleHealth: left.health,
    duplicates,
    deadLetters,
    storeFailures,
    published,
    url,
  };
}

/**
 * PostgreSQL's own rate for the same rows: the event messages, snapshots and camera health the center stored, inserted
 * again into an empty archive of the same schema, as many rows per statement and per transaction as a batch of the
 * center holds (256), from one connection.
 */
async function rawInsertRate(from: string, published: Published): Promise<number> {
  const to = pgc.createDatabase('raw');
  await (await openPostgresStore({ url: to, blobDir: join(dir, 'raw-blobs') })).close();
  const src = new pg.Client({ connectionString: from });
  const dst = new pg.Client({ connectionString: to });
  await src.connect();
  await dst.connect();
  try {
    const messages = (await src.query('SELECT * FROM event_messages')).rows as Record<string, unknown>[];
    const snapshots = (await src.query('SELECT * FROM snapshots')).rows as Record<string, unknown>[];
    const cameras = (await src.query('SELECT * FROM cameras WHERE health_json IS NOT NULL')).rows as Record<string, unknown>[];
    // Every health message a row: the cameras' rows, once for each time the fleet sent each camera's health.
    const health = Array.from({ length: published.messages.health }, (_, i) => cameras[i % cameras.length]);
    const started = performance.now();
    await insertAll(dst, 'event_messages', messages, 'ON CONFLICT DO NOTHING');
    await insertAll(dst, 'snapshots', snapshots, 'ON CONFLICT DO NOTHING');
    await insertAll(
      dst,
      'cameras',
      health,
      'ON CONFLICT (site, camera) DO UPDATE SET health_json = excluded.health_json, health_at = excluded.health_at, changed_at = excluded.changed_at',
    );
    const seconds = (performance.now() - started) / 1000;
    return (messages.length + snapshots.length + health.length) / seconds;
  } finally {
    await src.end();
    await dst.end();
  }
}

async function insertAll(db: pg.Client, table: string, rows: Record<string, unknown>[], conflict: string): Promise<void> {
  if (!rows.length) return;
  const cols = Object.keys(rows[0]).filter((c) => c !== 'id');
  for (let i = 0; i < rows.length; i += 256) {
    // A camera once per statement (PostgreSQL updates a row once per statement), as the center writes them.
    const seen = new Set<string>();
    const chunk = rows.slice(i, i + 256).filter((r) => {
      const key = table === 'cameras' ? `${r.site}/${r.camera}` : String(Math.random());
      return seen.has(key) ? false : (seen.add(key), true);
    });
    const values = chunk.map((_, j) => `(${cols.map((_, k) => `$${j * cols.length + k + 1}`).join(', ')})`);
    await db.query('BEGIN');
    await db.query(
      `INSERT INTO ${table} (${cols.join(', ')}) VALUES ${values.join(', ')} ${conflict}`,
      chunk.flatMap((r) => cols.map((c) => r[c])),
    );
    await db.query('COMMIT');
  }
}

/** Alert published → its frame in the console's feed (SSE), while the fleet publishes in real time. */
async function latency(): Promise<{ p50: number; p99: number; n: number; fleet: Published }> {
  const [center] = await centersOn('latency', pgc.createDatabase('latency'), 1);
  const login = await fetch(`${center.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: center.url },
    body: JSON.stringify({ user: 'bench', password: 'bench-pass-1' }),
  });
  const cookie = login.headers.get('set-cookie')!.split(';')[0];
  const seen = new Map<string, number>();
  const stream = await fetch(`${center.url}/api/stream`, { headers: { cookie } });
  const reader = stream.body!.getReader();
  let buf = '';
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += Buffer.from(value).toString();
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (frame.startsWith('event: event') && data) {
          const id = (JSON.parse(data) as { id: string }).id;
          if (!seen.has(id)) seen.set(id, performance.now());
        }
      }
    }
  })();
  // The fleet starts first and runs past the last probe.
  const fleet = publishFleet(Math.ceil((PROBES * 150) / 1000) + 20, 1, LATENCY_BOXES);
  await new Promise((r) => setTimeout(r, 10_000));
  const box = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'bench-probe-box' });
  const base = await fleetJpeg(1280);
  const sent = new Map<string, number>();
  for (let i = 0; i < PROBES; i++) {
    const id = `probe-${i}`;
    const jpeg = labelledJpeg(base, id);
    const alert = makeAlert({ site: 'probe', camera: 'cam-1', id, seq: 0, state: 'started', jpeg });
    sent.set(id, performance.now());
    await box.publishAsync('jifang/v1/probe/cam-1/events', JSON.stringify(alert), { qos: 1 });
    await box.publishAsync(alert.evidence.snapshot!.topic, jpeg, { qos: 1 });
    await new Promise((r) => setTimeout(r, 100));
  }
  const deadline = Date.now() + 30_000;
  while (seen.size < PROBES && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await box.endAsync();
  const published = await fleet;
  await reader.cancel();
  await center.close();
  const ms = [...sent]
    .filter(([id]) => seen.has(id))
    .map(([id, t]) => seen.get(id)! - t)
    .sort((a, b) => a - b);
  const q = (p: number) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))];
  return { p50: q(0.5), p99: q(0.99), n: ms.length, fleet: published };
}

async function footprint(): Promise<Record<string, number>> {
  const [center] = await centersOn('footprint', pgc.createDatabase('footprint'), 1);
  const before = await center.store.sizeBytes();
  const sim = await simulateBoxes({
    url: broker.url,
    boxes: Math.max(10, Math.round(BOXES / 2)),
    eventsPerBox: EVENTS_PER_BOX,
    messagesPerEvent: 3,
  });
  while ((await center.store.counts()).messages < sim.published.length) await new Promise((r) => setTimeout(r, 100));
  await sim.close();
  const c = await center.store.counts();
  const bytes = (await center.store.sizeBytes()) - before;
  await center.close();
  const per = 10_000 / c.messages;
  return {
    eventMessages: c.messages,
    rowsPer10k: Math.round((c.messages + c.events + c.snapshots + c.deliveries) * per),
    bytesPer10k: Math.round(bytes * per),
    snapshotFileBytesPer10k: Math.round(c.snapshotBytes * per),
  };
}

try {
  const one = await ingestRate(1);
  const raw = await rawInsertRate(one.url, one.published);
  const two = await ingestRate(2);
  const lat = await latency();
  const fp = await footprint();
  const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
  const m = one.published.messages;
  const kb = one.published.snapshotBytes / Math.max(1, m.snapshots) / 1024;
  const whole = (r: Rate) =>
    `lost ${r.lostEvents} events, ${r.lostSnapshots} snapshots, ${r.staleHealth} cameras' latest health; ${r.duplicates} duplicates seen, ${r.deadLetters} dead letters, ${r.storeFailures} transactions retried`;
  console.log(
    `jifang center benchmark: ${BOXES} boxes × ${CAMERAS} cameras, ${SECONDS} s of their traffic (health every 10 s, ${ALERTS} alerts per camera-hour × 3 messages, each with a ${kb.toFixed(0)} KB snapshot): ${m.total} messages (${m.health} health, ${m.events} events, ${m.snapshots} snapshots, ${m.status} status); mosquitto ${broker.url}, PostgreSQL 15; alert lane ${LANE ? 'on' : 'off'}`,
  );
  console.log(`  PostgreSQL, the same rows inserted raw (256 per statement and transaction): ${raw.toFixed(0)} messages/s`);
  console.log(
    `  ingest, one instance:   ${one.perSecond.toFixed(0)} messages/s (${one.seconds.toFixed(1)} s; ${((100 * one.perSecond) / raw).toFixed(0)} % of the raw rate; ${one.cpuMsPerMessage.toFixed(3)} ms of CPU per message); ${whole(one)}`,
  );
  console.log(
    `  ingest, two instances:  ${two.perSecond.toFixed(0)} messages/s together (${two.seconds.toFixed(1)} s); each handled ${two.handled.map((h) => `${(h / two.seconds).toFixed(0)}`).join(' / ')} messages/s (the retained status goes to both); ${whole(two)}`,
  );
  const offered = lat.fleet.messages.total / (Math.ceil((PROBES * 150) / 1000) + 20);
  console.log(
    lat.n
      ? `  alert published → in the browser's feed (SSE) while ${LATENCY_BOXES} boxes publish ${offered.toFixed(0)} messages/s: p50 ${lat.p50.toFixed(0)} ms, p99 ${lat.p99.toFixed(0)} ms (${lat.n} of ${PROBES} alerts)`
      : `  alert published → in the browser's feed (SSE) while ${LATENCY_BOXES} boxes publish ${offered.toFixed(0)} messages/s: none of ${PROBES} alerts within 30 s of the last (the center did not keep up)`,
  );
  console.log(
    `  PostgreSQL per 10,000 event messages: ${fp.rowsPer10k} rows, ${mb(fp.bytesPer10k)}; snapshot JPEGs as files beside it: ${mb(fp.snapshotFileBytesPer10k)}`,
  );
} finally {
  await broker.stop();
  pgc.remove();
  rmSync(dir, { recursive: true, force: true });
}
