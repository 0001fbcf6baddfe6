/**
 * `npm run bench:center`: the command center's figures on this machine (not a test), for a city's fleet.
 *   1. a simulated fleet (BENCH_BOXES boxes × BENCH_CAMERAS cameras, health every 10 s, BENCH_ALERTS alerts per camera
 *      and hour, each alert 3 messages with its 1280-pixel snapshot of the street sample) publishes BENCH_SECONDS of its
 *      traffic as fast as the broker takes it; the messages/s at which one instance, then two sharing one MQTT 5
 *      shared subscription, archive it into PostgreSQL — beside PostgreSQL's own insert rate for the same rows — and
 *      where the CPU went meanwhile: each instance's CPU seconds and messages per CPU-second, PostgreSQL's (all its
 *      backends), mosquitto's, the fleet's (per message it published), the machine's idle share;
 *   2. alert published → in the browser's feed (SSE), p50/p99, while BENCH_LATENCY_BOXES boxes (all unless said)
 *      publish in real time and BENCH_PROBES alerts are sent one every 100 ms;
 *   3. PostgreSQL rows and bytes per 10,000 event messages (BENCH_EVENTS alerts per box), and the snapshot JPEGs'
 *      bytes (files beside it).
 * Each instance of 1. runs in a process of its own (scripts/bench-center-instance.ts), as instances do in a city, and
 * the fleet in another (scripts/bench-fleet.ts), which makes every message before it publishes the first: the clock
 * and the CPU figures run from its first message until the archive holds everything. Before the clock starts, the
 * instances archive BENCH_WARMUP_SECONDS (10) of the fleet's traffic (every box's status, every camera's health once),
 * as a center that has run a while meets its fleet; the fleet then goes on from there. BENCH_ALERT_LANE=0 runs the
 * instances without their alert lane. Real mosquitto, a throwaway PostgreSQL cluster.
 *
 * On this machine the fleet, mosquitto and PostgreSQL share the cores with the instances, so a second instance finds
 * little CPU left to add. BENCH_INSTANCE_CORES=0.25 holds each instance to that share of a core (a cgroup of its own,
 * needs root) as if it ran on a machine of its own: then the instances, not the machine, are what one and two are
 * measured by, and two ÷ one says what a second instance adds.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import mqtt from 'mqtt';
import pg from 'pg';
import { parseCenterConfig } from '../agent/src/center/config.ts';
import type { IngestCounters } from '../agent/src/center/ingest.ts';
import { type Center, startCenter } from '../agent/src/center/service.ts';
import { openPostgresStore } from '../agent/src/center/store/postgres.ts';
import { silentLogger } from '../agent/src/core/log.ts';
import { setPassword } from '../agent/src/web/passwords.ts';
import { labelledJpeg, makeAlert, simulateBoxes } from '../test/helpers/box-simulator.ts';
import { fleetJpeg } from '../test/helpers/fleet-simulator.ts';
import { startMosquitto } from '../test/helpers/mosquitto.ts';
import { projectRoot } from '../test/helpers/paths.ts';
import { startPostgres } from '../test/helpers/postgres.ts';
import { capCpu, cpuSeconds, machineCpu } from '../test/helpers/proc-cpu.ts';

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
/**
 * Fleet seconds archived before the clock starts (10: every box's status and every camera's health heard once), as a
 * center that has run for a while meets its fleet; 0 measures a cold start (every box new, the statuses' burst).
 */
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 10);
/** Where each instance of 1. writes its V8 CPU profile when it stops (`.cpuprofile`, for Chrome's DevTools), if set. */
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;
/** Cores each instance of 1. is held to (a cgroup's CPU quota), or all it can get. */
const INSTANCE_CORES = process.env.BENCH_INSTANCE_CORES ? Number(process.env.BENCH_INSTANCE_CORES) : null;

const dir = mkdtempSync(join(tmpdir(), 'jifang-bench-center-'));
// Sessions hold the whole backlog while the centers are away.
const broker = await startMosquitto({ extraConfig: 'allow_anonymous true\nmax_queued_messages 0\nmax_queued_bytes 0', persistence: false });
/** PostgreSQL as a city runs it (every commit waits for its WAL on disk), unless BENCH_PG_DURABLE=0. */
const DURABLE = process.env.BENCH_PG_DURABLE !== '0';
const pgc = await startPostgres({ durable: DURABLE });
const users = join(dir, 'users');
await setPassword(users, 'bench', 'admin', 'bench-pass-1');

const fleetOptions = { url: broker.url, boxes: BOXES, cameras: CAMERAS, alertsPerCameraHour: ALERTS };

interface Published {
  events: string[];
  snapshots: string[];
  latestHealth: [string, string][];
  messages: { status: number; health: number; events: number; snapshots: number; total: number };
  snapshotBytes: number;
  /** The fleet process's own CPU seconds: making its messages (with its start), then publishing them. */
  cpuSeconds: { making: number; publishing: number };
}

/**
 * The fleet for `seconds` of its time, from its own process; `speed` null: as fast as the broker takes it. `publishing`
 * is called once its messages are made, as it starts publishing them.
 */
function publishFleet(seconds: number, speed: number | null, boxes = BOXES, publishing = () => {}, from = 0): Promise<Published> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(projectRoot, 'scripts/bench-fleet.ts'), JSON.stringify({ ...fleetOptions, boxes, seconds, speed, from })],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let last = '';
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line === '{"publishing":true}') publishing();
      else last = line;
    });
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(last) as Published) : reject(new Error(`the fleet exited with ${code}`))));
  });
}

function centerConfig(db: string, url: string, i: number): Record<string, unknown> {
  return {
    mqtt: {
      url: broker.url,
      sharedGroup: db,
      clientId: `${db}-${i}`,
      ...(LANE ? { alertLane: { clientId: `${db}-${i}-alerts` } } : {}),
    },
    storage: { kind: 'postgres', url, poolSize: 4 },
    // Snapshot files of their own per archive: the fleet makes the same pictures in every run, and an instance finding
    // a picture's file already there (an earlier run's) writes nothing, which would make a later run cheaper.
    dataDir: join(dir, db),
    http: { port: 0 },
    users,
    logLevel: 'silent',
  };
}

/** Instances in the bench's own process (the latency probe reads their feed, the footprint their store). */
async function centersOn(db: string, url: string, n: number): Promise<Center[]> {
  const out: Center[] = [];
  for (let i = 0; i < n; i++) out.push(await startCenter(parseCenterConfig(centerConfig(db, url, i), 'bench.yaml', dir), silentLogger));
  return out;
}

interface Instance {
  pid: number;
  counters(): Promise<IngestCounters>;
  close(): Promise<void>;
}

/** An instance in a process of its own (scripts/bench-center-instance.ts): its own event loop, its CPU its own. */
async function spawnInstance(raw: Record<string, unknown>): Promise<Instance> {
  const child = spawn(
    process.execPath,
    [
      ...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []),
      '--import',
      'tsx',
      join(projectRoot, 'scripts/bench-center-instance.ts'),
      JSON.stringify(raw),
      dir,
    ],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const waiting: { resolve: (line: string) => void; reject: (err: Error) => void }[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.resolve(line));
  child.on('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`a center instance exited with ${code}`));
  });
  const next = () => new Promise<string>((resolve, reject) => waiting.push({ resolve, reject }));
  const ready = next();
  await ready;
  const pid = child.pid as number;
  // Held once started: its start (compiling the code) is not measured.
  const uncap = INSTANCE_CORES ? capCpu(pid, INSTANCE_CORES, `jifang-bench-${process.pid}-${pid}`) : () => {};
  child.once('exit', uncap);
  return {
    pid,
    counters: async () => {
      const line = next();
      child.stdin.write('report\n');
      return (JSON.parse(await line) as { counters: IngestCounters }).counters;
    },
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin.write('close\n');
      }),
  };
}

/** CPU seconds so far of each process taking part: the instances, PostgreSQL (all its backends), mosquitto, the machine. */
function cpuNow(instances: readonly Instance[]) {
  const postmaster = Number(readFileSync(join(pgc.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  return {
    instances: instances.map((c) => cpuSeconds(c.pid)),
    postgres: cpuSeconds(postmaster, true),
    mosquitto: cpuSeconds(broker.proc.pid as number),
    bench: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    machine: machineCpu(),
  };
}

interface Cpu {
  /** CPU seconds each instance used while it archived the fleet's traffic. */
  instances: number[];
  postgres: number;
  mosquitto: number;
  fleet: number;
  /** The bench's own polling of the archive. */
  bench: number;
  /** Share of the machine's CPU (all cores) left idle meanwhile. */
  idle: number;
  cores: number;
}

function cpuSince(before: ReturnType<typeof cpuNow>, after: ReturnType<typeof cpuNow>, fleet: number): Cpu {
  const total = after.machine.total - before.machine.total;
  return {
    instances: after.instances.map((c, i) => c - (before.instances[i] ?? 0)),
    postgres: after.postgres - before.postgres,
    mosquitto: after.mosquitto - before.mosquitto,
    fleet,
    bench: after.bench - before.bench,
    idle: total > 0 ? (after.machine.idle - before.machine.idle) / total : 0,
    cores: availableParallelism(),
  };
}

/**
 * The archive's sessions sampled every 100 ms from `start` (pg_stat_activity): how often one was running a statement
 * (`active`), waiting on a lock (`Lock:transactionid`: a row another instance's open transaction holds), on I/O, or
 * for its client (`Client:ClientRead`: the instance, between two statements of its transaction).
 */
function sampleWaits(url: string): { start(): void; stop(): Promise<Map<string, number>> } {
  const tally = new Map<string, number>();
  const db = new pg.Client({ connectionString: url });
  const connected = db.connect();
  let timer: NodeJS.Timeout | undefined;
  let busy = false;
  const sample = async () => {
    if (busy) return;
    busy = true;
    try {
      const rows = (
        await db.query(
          `SELECT COALESCE(wait_event_type || ':' || wait_event, 'active') AS w FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'`,
        )
      ).rows as { w: string }[];
      for (const r of rows) tally.set(r.w, (tally.get(r.w) ?? 0) + 1);
    } finally {
      busy = false;
    }
  };
  return {
    start: () => {
      // A sample that fails (the archive busy closing) is one sample fewer, not the bench's end.
      timer = setInterval(() => void connected.then(sample).catch(() => undefined), 100);
    },
    stop: async () => {
      clearInterval(timer);
      await connected;
      await db.end();
      return tally;
    },
  };
}

/**
 * The instances' sessions ended at the broker: left, mosquitto would go on queueing a copy of every later message of
 * the bench for them (no queue limit here), and work for it while the next instances are measured.
 */
async function forgetSessions(db: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++)
    for (const clientId of [`${db}-${i}`, ...(LANE ? [`${db}-${i}-alerts`] : [])])
      await (await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId, clean: true })).endAsync();
}

interface Rate {
  seconds: number;
  perSecond: number;
  handled: number[];
  lostEvents: number;
  lostSnapshots: number;
  staleHealth: number;
  duplicates: number;
  deadLetters: number;
  /** Transactions that failed for the store's sake (a deadlock between instances, say) and were written again. */
  storeFailures: number;
  cpu: Cpu;
  /** What the instances' PostgreSQL sessions were doing, sampled every 100 ms: `active` or what they waited on. */
  waits: Map<string, number>;
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

/** Waits until the archive holds everything `p` published; gives up only when nothing moved for a minute (the machine is shared). */
async function archived(
  url: string,
  p: Published,
  counters: () => Promise<IngestCounters[]>,
): Promise<{ events: number; snapshots: number; health: number }> {
  const moved = async () => (await counters()).reduce((sum, c) => sum + c.events + c.snapshots + c.duplicates, 0);
  let left = await missing(url, p);
  for (let quiet = Date.now(), last = await moved(); Date.now() - quiet < 60_000 && left.events + left.snapshots + left.health > 0; ) {
    await new Promise((r) => setTimeout(r, 250));
    const now = await missing(url, p);
    const m = await moved();
    if (now.events + now.snapshots + now.health < left.events + left.snapshots + left.health || m > last) quiet = Date.now();
    last = m;
    left = now;
  }
  return left;
}

/** An instance's counts from `base` on. */
function since(c: IngestCounters, base: IngestCounters): IngestCounters {
  return Object.fromEntries(Object.entries(c).map(([k, v]) => [k, v - base[k as keyof IngestCounters]])) as unknown as IngestCounters;
}

/** What two runs of the fleet published, the second going on from the first. */
function joined(a: Published, b: Published): Published {
  return {
    events: [...a.events, ...b.events],
    snapshots: [...a.snapshots, ...b.snapshots],
    latestHealth: [...new Map([...a.latestHealth, ...b.latestHealth])],
    messages: b.messages,
    snapshotBytes: b.snapshotBytes,
    cpuSeconds: b.cpuSeconds,
  };
}

/**
 * The fleet's traffic archived by `n` instances: they run, the fleet publishes BENCH_SECONDS of its traffic as fast as
 * the broker takes it (what the centers cannot take at once waits in their sessions), and the clock runs from the
 * fleet's start until the archive holds everything published. (A backlog published while a shared group is away is
 * not a measure on mosquitto 2.0: it did not deliver the group's queued messages when the instances came back.)
 */
async function ingestRate(n: number): Promise<Rate & { published: Published; url: string }> {
  const url = pgc.createDatabase(`rate${n}`);
  const centers: Instance[] = [];
  for (let i = 0; i < n; i++) centers.push(await spawnInstance(centerConfig(`rate${n}`, url, i)));
  const counters = () => Promise.all(centers.map((c) => c.counters()));
  const warm = WARMUP > 0 ? await publishFleet(WARMUP, null, BOXES) : null;
  if (warm) await archived(url, warm, counters);
  const base = await counters();
  // The clock and the CPU from the fleet's first message: its start and making its messages are not the centers' time.
  let before = cpuNow(centers);
  let started = performance.now();
  const waits = sampleWaits(url);
  const published = await publishFleet(
    SECONDS,
    null,
    BOXES,
    () => {
      before = cpuNow(centers);
      started = performance.now();
      waits.start();
    },
    WARMUP,
  );
  const left = await archived(url, warm ? joined(warm, published) : published, counters);
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSince(before, cpuNow(centers), published.cpuSeconds.publishing);
  const waited = await waits.stop();
  const last = (await counters()).map((c, i) => since(c, base[i] as IngestCounters));
  const sum = (k: keyof IngestCounters) => last.reduce((s, c) => s + c[k], 0);
  for (const c of centers) await c.close();
  await forgetSessions(`rate${n}`, n);
  return {
    seconds,
    perSecond: published.messages.total / seconds,
    handled: last.map((c) => c.received),
    lostEvents: left.events,
    lostSnapshots: left.snapshots,
    staleHealth: left.health,
    duplicates: sum('duplicates'),
    deadLetters: sum('deadLetters'),
    storeFailures: sum('storeFailures'),
    cpu,
    waits: waited,
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
  await forgetSessions('latency', 1);
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

/**
 * Where the CPU went while the instances archived the fleet's traffic: per instance, messages it handled per CPU
 * second it used (what a second core would add), PostgreSQL, mosquitto, the fleet (per message it made), the machine's
 * idle share. An instance at its own CPU second per second is the limit of one; idle near 0 is the machine's.
 */
function cpuLine(r: Rate & { published: Published }): string {
  const c = r.cpu;
  const per = (cpu: number, n: number) => (cpu > 0 ? (n / cpu).toFixed(0) : '–');
  const instances = c.instances
    .map(
      (cpu, i) =>
        `instance ${i + 1} ${cpu.toFixed(1)} s (${((100 * cpu) / r.seconds).toFixed(0)} % of a core, ${per(cpu, r.handled[i] ?? 0)} messages per CPU-second)`,
    )
    .join(', ');
  const centers = c.instances.reduce((a, b) => a + b, 0);
  return `${instances}; all instances ${per(centers, r.published.messages.total)} messages per CPU-second; PostgreSQL ${c.postgres.toFixed(1)} s, mosquitto ${c.mosquitto.toFixed(1)} s, the fleet ${c.fleet.toFixed(1)} s publishing (${((1000 * c.fleet) / r.published.messages.total).toFixed(2)} ms per message; ${r.published.cpuSeconds.making.toFixed(1)} s making them beforehand), the bench ${c.bench.toFixed(1)} s; machine idle ${(100 * c.idle).toFixed(0)} % of ${c.cores} cores over ${r.seconds.toFixed(1)} s`;
}

function waitLine(waits: Map<string, number>): string {
  const all = [...waits.values()].reduce((a, b) => a + b, 0);
  return all
    ? [...waits]
        .sort((a, b) => b[1] - a[1])
        .map(([w, n]) => `${w} ${((100 * n) / all).toFixed(0)} %`)
        .join(', ')
    : 'none busy';
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
    `jifang center benchmark: ${BOXES} boxes × ${CAMERAS} cameras, ${SECONDS} s of their traffic (health every 10 s, ${ALERTS} alerts per camera-hour × 3 messages, each with a ${kb.toFixed(0)} KB snapshot): ${m.total} messages (${m.health} health, ${m.events} events, ${m.snapshots} snapshots, ${m.status} status); mosquitto ${broker.url}, PostgreSQL 15 (${DURABLE ? 'fsync on: each commit on disk' : 'fsync off'}); alert lane ${LANE ? 'on' : 'off'}; ${WARMUP ? `after ${WARMUP} s of the fleet's traffic archived before the clock` : 'cold start'}; ${INSTANCE_CORES ? `each instance held to ${INSTANCE_CORES} of a core` : 'instances not held to a share of the CPU'}`,
  );
  console.log(`  PostgreSQL, the same rows inserted raw (256 per statement and transaction): ${raw.toFixed(0)} messages/s`);
  console.log(
    `  ingest, one instance:   ${one.perSecond.toFixed(0)} messages/s (${one.seconds.toFixed(1)} s; ${((100 * one.perSecond) / raw).toFixed(0)} % of the raw rate; ${((1000 * one.cpu.instances.reduce((a, b) => a + b, 0)) / one.published.messages.total).toFixed(3)} ms of the instance's CPU per message); ${whole(one)}`,
  );
  console.log(
    `  ingest, two instances:  ${two.perSecond.toFixed(0)} messages/s together (${two.seconds.toFixed(1)} s; ${(two.perSecond / one.perSecond).toFixed(2)} × one); each handled ${two.handled.map((h) => `${(h / two.seconds).toFixed(0)}`).join(' / ')} messages/s${WARMUP ? '' : ' (the retained status goes to both)'}; ${whole(two)}`,
  );
  for (const [name, r] of [
    ['one instance', one],
    ['two instances', two],
  ] as const)
    console.log(`  CPU, ${name}: ${cpuLine(r)}; PostgreSQL sessions sampled: ${waitLine(r.waits)}`);
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
