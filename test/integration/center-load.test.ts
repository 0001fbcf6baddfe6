import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseCenterConfig } from '../../agent/src/center/config.ts';
import { type Center, startCenter } from '../../agent/src/center/service.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { setPassword } from '../../agent/src/web/passwords.ts';
import { type SimulatedBoxes, simulateBoxes } from '../helpers/box-simulator.ts';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.ts';
import { type Postgres, startPostgres } from '../helpers/postgres.ts';

/**
 * Scale-out: 200 simulated boxes publish the real contract (retained status and health, events started → updated →
 * ended, each with its snapshot JPEG) to mosquitto; two `jifang center` instances share one MQTT 5 shared
 * subscription and write to one PostgreSQL.
 */
let dir: string;
let broker: Mosquitto;
let pg: Postgres;
const centers: Center[] = [];
let sim: SimulatedBoxes | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jifang-center-load-'));
  // A center's session must be able to hold a burst: mosquitto's default queue (1000 per client) would drop the rest.
  broker = await startMosquitto({ extraConfig: 'allow_anonymous true\nmax_queued_messages 0' });
  pg = await startPostgres();
  const users = join(dir, 'users');
  await setPassword(users, 'admin', 'admin', 'admin-pass-1');
  const url = pg.createDatabase('load');
  for (const id of ['a', 'b']) {
    const cfg = parseCenterConfig(
      {
        mqtt: { url: broker.url, sharedGroup: 'load', clientId: `center-load-${id}` },
        storage: { kind: 'postgres', url, poolSize: 4 },
        http: { port: 0 },
        users,
      },
      'load.yaml',
      dir,
    );
    centers.push(await startCenter(cfg, silentLogger));
  }
}, 120_000);

afterAll(async () => {
  await sim?.close();
  for (const c of centers) await c.close();
  await broker?.stop();
  pg?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('200 boxes → mosquitto → two centers with a shared subscription → PostgreSQL: nothing lost, nothing twice, both take a share', async () => {
  sim = await simulateBoxes({ url: broker.url, boxes: 200, eventsPerBox: 2, messagesPerEvent: 3 });
  const expected = sim.published.length;
  const snapshots = sim.snapshots.size;
  expect(expected).toBe(1200);
  const store = centers[0].store;
  // What an operator sees of the fleet: boxes online with their camera, from the retained statuses each instance takes
  // itself. The center writes statuses after the alerts waiting (people wait for those), so under load they land last.
  const archived = async () => ({
    ...(await store.counts()),
    online: (await store.listBoxes()).filter((b) => b.online && b.cameras.length === 1).length,
  });
  const complete = (c: Awaited<ReturnType<typeof archived>>) => c.messages >= expected && c.snapshots >= snapshots && c.online >= 200;
  const progress = (c: Awaited<ReturnType<typeof archived>>) => c.messages + c.snapshots + c.online;
  // The machine is shared: wait as long as the archive keeps growing, fail only when it stops short.
  let counts = await archived();
  let lastGrowth = Date.now();
  while (!complete(counts) && Date.now() - lastGrowth < 60_000) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = await archived();
    if (progress(now) > progress(counts)) lastGrowth = Date.now();
    counts = now;
  }
  expect(counts).toMatchObject({ messages: expected, events: 400, snapshots, online: 200 });
  // Every event complete, in order, once: seqs 0, 1, 2 and the latest state `ended`.
  const events = await store.listEvents({ limit: 2000 });
  expect(events).toHaveLength(400);
  expect(events.every((e) => e.state === 'ended' && e.seq === 2 && e.firstSnapshot && e.lastSnapshot)).toBe(true);
  for (const e of events.slice(0, 40)) expect((await store.getEvent(e.id))!.messages.map((m) => m.seq)).toEqual([0, 1, 2]);
  // All 200 boxes online, each with its camera, and no other box.
  const boxes = await store.listBoxes();
  expect(boxes).toHaveLength(200);
  expect(boxes.filter((b) => b.online && b.cameras.length === 1)).toHaveLength(200);

  const [a, b] = centers.map((c) => c.counters);
  const share = (c: typeof a) => c.events + c.duplicates;
  console.log(
    `events taken: center a ${share(a)} (${((100 * share(a)) / expected).toFixed(1)} %), center b ${share(b)} (${((100 * share(b)) / expected).toFixed(1)} %); snapshots a ${a.snapshots}, b ${b.snapshots}; duplicates a ${a.duplicates}, b ${b.duplicates}; rejected ${a.rejected + b.rejected}`,
  );
  expect(a.events + b.events).toBe(expected);
  expect(share(a)).toBeGreaterThan(expected * 0.1);
  expect(share(b)).toBeGreaterThan(expected * 0.1);
  expect(a.rejected + b.rejected).toBe(0);
}, 900_000);
