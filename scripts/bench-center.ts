/**
 * `npm run bench:center`: the command center's figures on this machine (not a test).
 *   1. messages/s ingested by one instance, then by two sharing one MQTT 5 shared subscription (PostgreSQL);
 *   2. alert published → visible in the API (the server-sent-events feed), p50/p99;
 *   3. PostgreSQL rows and bytes per 10,000 event messages, and the snapshot JPEGs' bytes (files beside it).
 * Real mosquitto, a throwaway PostgreSQL cluster, the simulator of test/helpers publishing the real contract.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { parseCenterConfig } from '../agent/src/center/config.ts';
import { type Center, startCenter } from '../agent/src/center/service.ts';
import { silentLogger } from '../agent/src/core/log.ts';
import { setPassword } from '../agent/src/web/passwords.ts';
import { labelledJpeg, makeAlert, simulateBoxes, streetJpeg } from '../test/helpers/box-simulator.ts';
import { startMosquitto } from '../test/helpers/mosquitto.ts';
import { startPostgres } from '../test/helpers/postgres.ts';

const BOXES = Number(process.env.BENCH_BOXES ?? 200);
const EVENTS_PER_BOX = Number(process.env.BENCH_EVENTS ?? 5);
const PROBES = Number(process.env.BENCH_PROBES ?? 200);

const dir = mkdtempSync(join(tmpdir(), 'jifang-bench-center-'));
const broker = await startMosquitto({ extraConfig: 'allow_anonymous true\nmax_queued_messages 0' });
const pg = await startPostgres();
const users = join(dir, 'users');
await setPassword(users, 'bench', 'admin', 'bench-pass-1');

async function centersOn(db: string, n: number): Promise<Center[]> {
  const url = pg.createDatabase(db);
  const out: Center[] = [];
  for (let i = 0; i < n; i++) {
    const cfg = parseCenterConfig(
      {
        mqtt: { url: broker.url, sharedGroup: db, clientId: `${db}-${i}` },
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

async function ingestRate(n: number): Promise<{ perSecond: number; shares: number[]; messages: number }> {
  const centers = await centersOn(`rate${n}`, n);
  const started = Date.now();
  const sim = await simulateBoxes({ url: broker.url, boxes: BOXES, eventsPerBox: EVENTS_PER_BOX, messagesPerEvent: 3, root: 'jifang/v1' });
  const expected = sim.published.length;
  while ((await centers[0].store.counts()).messages < expected) await new Promise((r) => setTimeout(r, 100));
  const seconds = (Date.now() - started) / 1000;
  await sim.close();
  // Each event message comes with its snapshot: both count as ingested messages.
  const shares = centers.map((c) => c.counters.events + c.counters.snapshots);
  for (const c of centers) await c.close();
  return { perSecond: (2 * expected) / seconds, shares, messages: 2 * expected };
}

async function latency(): Promise<{ p50: number; p99: number; n: number }> {
  const [center] = await centersOn('latency', 1);
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
  const box = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'bench-probe-box' });
  const base = await streetJpeg();
  const sent = new Map<string, number>();
  for (let i = 0; i < PROBES; i++) {
    const id = `probe-${i}`;
    const jpeg = labelledJpeg(base, id);
    const alert = makeAlert({ site: 'probe', camera: 'cam-1', id, seq: 0, state: 'started', jpeg });
    sent.set(id, performance.now());
    await box.publishAsync('jifang/v1/probe/cam-1/events', JSON.stringify(alert), { qos: 1 });
    await box.publishAsync(alert.evidence.snapshot!.topic, jpeg, { qos: 1 });
    await new Promise((r) => setTimeout(r, 50));
  }
  const deadline = Date.now() + 30_000;
  while (seen.size < PROBES && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await box.endAsync();
  await reader.cancel();
  await center.close();
  const ms = [...sent]
    .filter(([id]) => seen.has(id))
    .map(([id, t]) => seen.get(id)! - t)
    .sort((a, b) => a - b);
  const q = (p: number) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))];
  return { p50: q(0.5), p99: q(0.99), n: ms.length };
}

async function footprint(): Promise<Record<string, number>> {
  const [center] = await centersOn('footprint', 1);
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
  const two = await ingestRate(2);
  const lat = await latency();
  const fp = await footprint();
  const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
  console.log(
    `jifang center benchmark (${BOXES} simulated boxes × ${EVENTS_PER_BOX} events × 3 messages, each with its snapshot; mosquitto ${broker.url}, PostgreSQL 15)`,
  );
  console.log(`  ingest, one instance:   ${one.perSecond.toFixed(0)} messages/s (${one.messages} messages)`);
  console.log(
    `  ingest, two instances:  ${two.perSecond.toFixed(0)} messages/s together; shares ${two.shares.map((s) => `${((100 * s) / two.messages).toFixed(1)} %`).join(' / ')} → ${(two.perSecond / 2).toFixed(0)} messages/s per instance`,
  );
  console.log(`  alert published → visible in the API (SSE): p50 ${lat.p50.toFixed(0)} ms, p99 ${lat.p99.toFixed(0)} ms (${lat.n} alerts)`);
  console.log(
    `  PostgreSQL per 10,000 event messages: ${fp.rowsPer10k} rows, ${mb(fp.bytesPer10k)}; snapshot JPEGs as files beside it: ${mb(fp.snapshotFileBytesPer10k)}`,
  );
} finally {
  await broker.stop();
  pg.remove();
  rmSync(dir, { recursive: true, force: true });
}
