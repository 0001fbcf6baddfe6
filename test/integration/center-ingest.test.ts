import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forwarderSchema } from '../../agent/src/center/config.ts';
import { startForwarders } from '../../agent/src/center/forward.ts';
import { createIngest, type Ingest } from '../../agent/src/center/ingest.ts';
import { MIGRATIONS } from '../../agent/src/center/store/migrations.ts';
import { openPostgresStore } from '../../agent/src/center/store/postgres.ts';
import { openSqliteStore } from '../../agent/src/center/store/sqlite.ts';
import type { CenterStore } from '../../agent/src/center/store/types.ts';
import type { Alert } from '../../agent/src/contract/alert.ts';
import { COMMAND_RESULT_SCHEMA_ID } from '../../agent/src/contract/commands.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { makeAlert, streetJpeg } from '../helpers/box-simulator.ts';
import { projectRoot } from '../helpers/paths.ts';
import { type Postgres, startPostgres } from '../helpers/postgres.ts';

/**
 * What boxes send and what the archive does with it, on both engines: a message the store refuses, a box speaking
 * for another site, values at the schema's edges, a newer agent's alert, a topic nobody knows, an upgrade of an
 * existing archive. Real SQLite files and a real PostgreSQL server; no broker (center-hostile-box has one).
 */
let pgServer: Postgres;
let dir: string;
let jpeg: Buffer;
beforeAll(async () => {
  pgServer = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), 'jifang-center-ingest-'));
  jpeg = await streetJpeg();
}, 60_000);
afterAll(() => {
  pgServer?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** One engine: the store, plus a second connection of the test's own for what no API does (a rule, a corruption). */
interface Engine {
  store: CenterStore;
  sql(text: string): Promise<void>;
  end(): Promise<void>;
}
let n = 0;
const engines: [string, (setup?: string[]) => Promise<Engine & { where: string }>][] = [
  [
    'sqlite',
    async (setup = []) => {
      const file = join(dir, `i${++n}.db`);
      if (setup.length) {
        const raw = new Database(file);
        for (const s of setup) raw.exec(s);
        raw.close();
      }
      const store = await openSqliteStore(file);
      const raw = new Database(file);
      return { store, where: file, sql: async (t) => void raw.exec(t), end: async () => void raw.close() };
    },
  ],
  [
    'postgres',
    async (setup = []) => {
      const url = pgServer.createDatabase(`ingest${++n}`);
      const raw = new pg.Client({ connectionString: url });
      raw.on('error', () => undefined); // the server stopped by a test: this connection is not used again
      await raw.connect();
      for (const s of setup) await raw.query(s);
      const store = await openPostgresStore({ url, blobDir: join(dir, 'blobs') });
      return { store, where: url, sql: async (t) => void (await raw.query(t)), end: () => raw.end() };
    },
  ],
];

/** Counts the store's group commits (the transactions ingest opens), leaving them as they are. */
function countBatches(store: CenterStore): { count: number } {
  const seen = { count: 0 };
  const batch = store.ingestBatch.bind(store);
  store.ingestBatch = (fn) => {
    seen.count++;
    return batch(fn);
  };
  return seen;
}

const ingestOf = (store: CenterStore, forwarders: readonly string[] = []): Ingest =>
  createIngest({ root: 'jifang/v1', store, instance: 'test', forwarders: () => forwarders, log: silentLogger });
const topic = (site: string, camera = 'cam-1') => `jifang/v1/${site}/${camera}/events`;
/** Any seq (the simulator dates a message back by 30 s per seq, which 2³¹ would take before year 0). */
const alert = (site: string, id: string, seq: number, extra: Partial<Alert> = {}, camera = 'cam-1'): Alert => ({
  ...makeAlert({ site, camera, id, seq: Math.min(seq, 5), state: seq === 0 ? 'started' : 'updated', jpeg }),
  seq,
  ...extra,
});
const send = (ingest: Ingest, t: string, body: unknown) => ingest.handle(t, Buffer.from(JSON.stringify(body)));

describe.each(engines)('center ingest on %s', (engineName, open) => {
  /** A real refusal by the engine (a site's own rule): a constraint error, the kind no retry can cure. */
  const refuseMarked = (e: Engine) =>
    e.sql(
      engineName === 'sqlite'
        ? "CREATE TRIGGER refuse_marked BEFORE INSERT ON events WHEN NEW.address = 'REFUSED' BEGIN SELECT RAISE(ABORT, 'refused by a site rule'); END"
        : "ALTER TABLE events ADD CONSTRAINT refuse_marked CHECK (address IS DISTINCT FROM 'REFUSED')",
    );
  it('acknowledges a message the store refuses, keeps it whole as a dead letter, goes on with the next box, and archives it on replay once the cause is gone', async () => {
    const e = await open();
    await refuseMarked(e);
    const ingest = ingestOf(e.store);
    const bad = JSON.stringify(alert('box-a', 'ev-bad', 0, { address: 'REFUSED' }));
    await expect(ingest.handle(topic('box-a'), Buffer.from(bad))).resolves.toBeUndefined();
    await send(ingest, topic('box-b'), alert('box-b', 'ev-good', 0));
    expect(ingest.counters).toMatchObject({ deadLetters: 1, events: 1 });
    expect((await e.store.listEvents({})).map((r) => r.id)).toEqual(['ev-good']);
    const [letter] = await e.store.listDeadLetters(10);
    expect(letter).toMatchObject({ topic: topic('box-a'), bytes: bad.length, replayedAt: null });
    expect(letter.error).toMatch(/refuse/);
    expect((await e.store.getDeadLetter(letter.id))!.payload.toString()).toBe(bad);
    expect((await e.store.counts()).deadLetters).toBe(1);

    expect(await ingest.replay(letter.id)).toMatchObject({ ok: false });
    await e.sql(engineName === 'sqlite' ? 'DROP TRIGGER refuse_marked' : 'ALTER TABLE events DROP CONSTRAINT refuse_marked');
    expect(await ingest.replay(letter.id)).toEqual({ ok: true });
    expect((await e.store.getEvent('ev-bad', 'box-a'))!.event.address).toBe('REFUSED');
    expect((await e.store.counts()).deadLetters).toBe(0);
    await e.end();
    await e.store.close();
  });

  it('stores messages handed over together in a few transactions; one the store refuses becomes a dead letter and the other 59 are archived', async () => {
    const e = await open();
    await refuseMarked(e);
    const batches = countBatches(e.store);
    const ingest = ingestOf(e.store);
    const sent = Array.from({ length: 60 }, (_, i) =>
      send(ingest, topic(`box-${i % 6}`), alert(`box-${i % 6}`, `ev-${i}`, 0, i === 37 ? { address: 'REFUSED' } : {})),
    );
    await Promise.all(sent);
    expect(ingest.counters).toMatchObject({ received: 60, events: 59, deadLetters: 1, storeFailures: 0 });
    expect((await e.store.counts()).events).toBe(59);
    const [letter] = await e.store.listDeadLetters(10);
    expect(JSON.parse((await e.store.getDeadLetter(letter.id))!.payload.toString()).id).toBe('ev-37');
    expect(batches.count).toBeLessThan(10);
    await e.end();
    await e.store.close();
  });

  it("writes a burst of one camera's health as one row with the latest, beside the other cameras', in few transactions", async () => {
    const e = await open();
    const batches = countBatches(e.store);
    const ingest = ingestOf(e.store);
    const t0 = Date.parse('2026-12-07T12:00:00Z');
    const health = (camera: string, i: number) => ({
      camera,
      state: i === 39 ? 'backoff' : 'streaming',
      reason: i === 39 ? 'connection refused' : undefined,
      since: new Date(t0).toISOString(),
      targetFps: 5,
      analysedFps: 5,
      skippedFrames: 0,
      analysedFrames: i,
      lastFrameAgeSeconds: 0.1,
      reconnects: 0,
      at: new Date(t0 + i * 1000).toISOString(),
    });
    await Promise.all([
      ...Array.from({ length: 40 }, (_, i) => send(ingest, 'jifang/v1/box-a/cam-1/health', health('cam-1', i))),
      ...Array.from({ length: 16 }, (_, c) => send(ingest, `jifang/v1/box-b/cam-${c}/health`, health(`cam-${c}`, 1))),
    ]);
    const boxes = await e.store.listBoxes();
    const a = boxes.find((b) => b.site === 'box-a')!;
    expect(a.cameras).toMatchObject([{ camera: 'cam-1', state: 'backoff', reason: 'connection refused', health: { analysedFrames: 39 } }]);
    expect(boxes.find((b) => b.site === 'box-b')!.cameras).toHaveLength(16);
    expect(batches.count).toBeLessThan(10);
    expect(ingest.counters).toMatchObject({ received: 56, rejected: 0, storeFailures: 0 });
    await e.end();
    await e.store.close();
  });

  it("keeps each site's events apart: a box that used another site's id first neither silences nor overwrites it, and cannot speak for it", async () => {
    const e = await open();
    const ingest = ingestOf(e.store);
    await send(ingest, topic('hostile'), alert('hostile', 'ev-v', 0));
    await send(ingest, topic('victim'), alert('victim', 'ev-v', 0));
    await send(ingest, topic('victim'), alert('victim', 'ev-v', 1));
    await send(ingest, topic('hostile'), { ...alert('hostile', 'ev-v', 2), state: 'ended', address: 'FORGED' });
    // The victim's site in the payload, on the hostile box's topic: refused and counted.
    await send(ingest, topic('hostile'), { ...alert('victim', 'ev-v', 3), state: 'ended', address: 'FORGED' });
    expect(ingest.counters).toMatchObject({ events: 4, duplicates: 0, wrongSite: 1 });
    const victim = (await e.store.getEvent('ev-v', 'victim'))!;
    expect(victim.messages.map((m) => m.seq)).toEqual([0, 1]);
    expect(victim.event).toMatchObject({ site: 'victim', state: 'updated', address: 'No. 1 Demo Street (victim)' });
    expect((await e.store.getEvent('ev-v', 'hostile'))!.event).toMatchObject({ state: 'ended', address: 'FORGED' });

    // A command's answer counts only from the site it was sent to.
    await e.store.recordAction({
      requestId: 'r-1',
      eventId: 'ev-v',
      site: 'victim',
      action: 'ack',
      by: 'olga',
      role: 'operator',
      unit: null,
      note: null,
      requestedAt: Date.now(),
    });
    const result = (ok: boolean) => ({
      schema: COMMAND_RESULT_SCHEMA_ID,
      command: 'event',
      topic: 'x',
      requestId: 'r-1',
      ok,
      ...(ok ? {} : { error: 'forged' }),
      boxId: 'b',
      at: new Date().toISOString(),
    });
    await send(ingest, 'jifang/v1/hostile/cmd-result', result(false));
    expect((await e.store.getEvent('ev-v', 'victim'))!.actions[0]).toMatchObject({ result: 'pending' });
    await send(ingest, 'jifang/v1/victim/cmd-result', result(true));
    expect((await e.store.getEvent('ev-v', 'victim'))!.actions[0]).toMatchObject({ result: 'ok' });
    await e.end();
    await e.store.close();
  });

  it('stores every number the schema allows and refuses, counted, what the archive could not hold: NUL, huge keys and ids, endless camera lists', async () => {
    const e = await open();
    const ingest = ingestOf(e.store);
    await send(ingest, topic('box-a'), alert('box-a', 'ev-big', 2 ** 31));
    await send(ingest, topic('box-a'), alert('box-a', 'ev-big', Number.MAX_SAFE_INTEGER));
    expect((await e.store.getEvent('ev-big', 'box-a'))!.messages.map((m) => m.seq)).toEqual([2 ** 31, Number.MAX_SAFE_INTEGER]);

    const base = alert('box-a', 'ev-x', 0);
    const hostile: unknown[] = [
      { ...base, address: 'a\u0000b' },
      { ...base, objects: [{ ...base.objects[0], ['k'.repeat(240_000)]: 1 }] },
      { ...base, id: 'i'.repeat(10_000) },
      { ...base, zone: 'z'.repeat(100_000) },
    ];
    for (const h of hostile) await expect(send(ingest, topic('box-a'), h)).resolves.toBeUndefined();
    const status = {
      online: true,
      agentVersion: '0.1.0',
      boxId: 'b',
      at: new Date().toISOString(),
      cameras: Array.from({ length: 5000 }, (_, i) => ({ id: `c${i}` })),
    };
    await send(ingest, 'jifang/v1/box-a/status', status);
    expect(ingest.counters).toMatchObject({ rejected: hostile.length + 1, events: 2 });
    expect(await e.store.listEvents({ site: 'box-a' })).toHaveLength(1);
    expect(await e.store.listBoxes()).toEqual([expect.objectContaining({ site: 'box-a', cameras: [] })]);
    await e.end();
    await e.store.close();
  });

  it("archives a newer agent's alert with a new nested field and event type, and counts a topic it cannot place — a camera named like a topic word is placed", async () => {
    const e = await open();
    const ingest = ingestOf(e.store);
    const newer = {
      ...alert('box-a', 'ev-new', 0),
      type: 'illegal_dumping',
      rule: { ...alert('box-a', 'ev-new', 0).rule, type: 'illegal_dumping', severity: 3 },
      evidence: { ...alert('box-a', 'ev-new', 0).evidence, video: { url: 'rtsp://x' } },
      objects: [{ ...alert('box-a', 'ev-new', 0).objects[0], colour: 'red' }],
    };
    await send(ingest, topic('box-a'), newer);
    await send(ingest, topic('box-a', 'metrics'), alert('box-a', 'ev-m', 0, {}, 'metrics'));
    await send(ingest, 'jifang/v1/box-a/cam-1/alerts', alert('box-a', 'ev-lost', 0));
    await send(ingest, 'jifang/v1/box-a/metrics', { cpu: 1 });
    expect(ingest.counters).toMatchObject({ events: 2, rejected: 0, unplaced: 1 });
    const got = (await e.store.getEvent('ev-new', 'box-a'))!;
    expect(got.event.type).toBe('illegal_dumping');
    expect(got.messages[0].alert.objects[0]).toMatchObject({ colour: 'red' });
    expect((await e.store.getEvent('ev-m', 'box-a'))!.event.camera).toBe('metrics');
    await e.end();
    await e.store.close();
  });

  it('a forwarder skips an archived row it cannot read, counts it, and delivers the others', async () => {
    const e = await open();
    const ingest = ingestOf(e.store, ['city']);
    await send(ingest, topic('box-a'), alert('box-a', 'ev-1', 0));
    await send(ingest, topic('box-a'), alert('box-a', 'ev-2', 0));
    await e.sql("UPDATE event_messages SET alert_json = '{not json' WHERE event_id = 'ev-1'");
    const got: string[] = [];
    const hook: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        got.push((JSON.parse(body) as Alert).id);
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`;
    const fwd = startForwarders([forwarderSchema.parse({ id: 'city', url })], e.store, silentLogger, { intervalMs: 3_600_000 });
    expect(await fwd.tick()).toBe(2);
    expect(got).toEqual(['ev-2']);
    expect(fwd.skipped()).toBe(1);
    expect(await e.store.deliveryStats()).toEqual([expect.objectContaining({ delivered: 1, failed: 1, pending: 0 })]);
    await fwd.stop();
    await new Promise((r) => hook.close(r));
    await e.end();
    await e.store.close();
  });

  it('upgrades a version-1 archive to events keyed by site and id, keeping its events, messages and deliveries', async () => {
    const v1 = [
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
      ...MIGRATIONS[0].sql(engineName as 'sqlite' | 'postgres'),
      "INSERT INTO schema_migrations VALUES (1, 'v1', 0)",
      `INSERT INTO events (id, site, camera, zone, type, state, seq, started_at, observed_at, dwell_seconds, lon, lat, address, alert_json, first_seen, rev, changed_at)
        VALUES ('ev-old', 'box-a', 'cam-1', 'kerb', 'illegal_parking', 'updated', 1, 1, 2, 15, 121.47, 31.23, 'Old St', '${JSON.stringify(alert('box-a', 'ev-old', 1))}', 1, 2, 2)`,
      `INSERT INTO event_messages (event_id, seq, state, received_at, alert_json) VALUES ('ev-old', 0, 'started', 1, '${JSON.stringify(alert('box-a', 'ev-old', 0))}')`,
      `INSERT INTO event_messages (event_id, seq, state, received_at, alert_json) VALUES ('ev-old', 1, 'updated', 2, '${JSON.stringify(alert('box-a', 'ev-old', 1))}')`,
      "INSERT INTO deliveries (forwarder, event_id, seq, state, next_at, created_at) VALUES ('city', 'ev-old', 1, 'delivered', 2, 2)",
    ];
    const e = await open(v1);
    const got = (await e.store.getEvent('ev-old', 'box-a'))!;
    expect(got.event).toMatchObject({ site: 'box-a', address: 'Old St', seq: 1 });
    expect(got.messages.map((m) => m.seq)).toEqual([0, 1]);
    expect(got.deliveries).toEqual([expect.objectContaining({ forwarder: 'city', seq: 1, state: 'delivered' })]);
    const ingest = ingestOf(e.store);
    await send(ingest, topic('box-a'), alert('box-a', 'ev-old', 1));
    await send(ingest, topic('box-b'), alert('box-b', 'ev-old', 2 ** 31));
    expect(ingest.counters).toMatchObject({ duplicates: 1, events: 1 });
    await e.end();
    await e.store.close();
  });

  if (engineName === 'sqlite')
    it('lists and replays dead letters from the command line (jifang center dead-letters)', async () => {
      const e = await open();
      await e.sql(
        "CREATE TRIGGER refuse_marked BEFORE INSERT ON events WHEN NEW.address = 'REFUSED' BEGIN SELECT RAISE(ABORT, 'refused by a site rule'); END",
      );
      await send(ingestOf(e.store), topic('box-a'), alert('box-a', 'ev-cli', 0, { address: 'REFUSED' }));
      await e.store.close();
      const cfg = join(dir, 'cli.yaml');
      writeFileSync(
        cfg,
        JSON.stringify({ mqtt: { url: 'mqtt://127.0.0.1:1' }, storage: { kind: 'sqlite', path: e.where }, users: 'users' }),
      );
      const jifang = (...args: string[]) =>
        spawnSync(process.execPath, [join(projectRoot, 'bin', 'jifang.mjs'), 'center', 'dead-letters', cfg, ...args], {
          encoding: 'utf8',
          env: { ...process.env, JIFANG_RUN_FROM: 'source', JIFANG_LOG_LEVEL: 'silent' },
        });
      const listed = jifang();
      expect(listed.status, listed.stderr).toBe(0);
      expect(listed.stdout).toMatch(
        /^1\t.*\twaiting\t\d+ B\tjifang\/v1\/box-a\/cam-1\/events\tSQLITE_CONSTRAINT_TRIGGER refused by a site rule\n$/,
      );
      expect(jifang('replay', '1')).toMatchObject({ status: 1, stdout: expect.stringMatching(/not archived: refused by a site rule/) });
      await e.sql('DROP TRIGGER refuse_marked');
      expect(jifang('replay', '1')).toMatchObject({ status: 0, stdout: 'dead letter 1 archived\n' });
      expect(jifang('replay', 'x').status).toBe(2);
      await e.end();
    });

  if (engineName === 'sqlite')
    it('keeps the archive file readable by its owner only', async () => {
      const e = await open();
      expect(statSync(e.where).mode & 0o777).toBe(0o600);
      await e.end();
      await e.store.close();
    });

  if (engineName === 'postgres')
    it("two instances writing one box's status and its camera's health at once never deadlock (one lock order)", async () => {
      const e = await open();
      const other = await openPostgresStore({ url: e.where, blobDir: join(dir, 'blobs') });
      const at = () => new Date().toISOString();
      const status = () => ({
        online: true,
        agentVersion: '0.1.0',
        boxId: 'b',
        at: at(),
        cameras: [{ id: 'cam-2' }, { id: 'cam-1' }],
      });
      const health = (camera: string) => ({
        camera,
        state: 'streaming' as const,
        since: at(),
        targetFps: 5,
        analysedFps: 5,
        skippedFrames: 0,
        analysedFrames: 1,
        lastFrameAgeSeconds: 0.1,
        reconnects: 0,
        at: at(),
      });
      const rounds = Array.from({ length: 150 }, (_, i) =>
        Promise.all([
          e.store.saveStatus('box-a', status(), Date.now()),
          other.saveHealth('box-a', health(i % 2 ? 'cam-1' : 'cam-2'), Date.now()),
          other.saveStatus('box-a', status(), Date.now()),
          e.store.saveHealth('box-a', health(i % 2 ? 'cam-2' : 'cam-1'), Date.now()),
        ]),
      );
      const failed = (await Promise.allSettled(rounds)).filter((r) => r.status === 'rejected');
      expect(failed.map((f) => String((f as PromiseRejectedResult).reason))).toEqual([]);
      await other.close();
      await e.end();
      await e.store.close();
    });

  if (engineName === 'postgres')
    it('says the archive is unreachable while PostgreSQL is stopped (the write fails, to be retried) and recovers when it is back', async () => {
      const e = await open();
      const ingest = ingestOf(e.store);
      await e.end();
      pgServer.stop();
      try {
        await expect(send(ingest, topic('box-a'), alert('box-a', 'ev-down', 0))).rejects.toThrow();
        expect(ingest.storeProblem()).toMatchObject({ error: expect.any(String) });
        expect(ingest.counters).toMatchObject({ storeFailures: 1, deadLetters: 0 });
      } finally {
        pgServer.restart();
      }
      await send(ingest, topic('box-a'), alert('box-a', 'ev-down', 0));
      expect(ingest.storeProblem()).toBeNull();
      expect((await e.store.getEvent('ev-down', 'box-a'))!.messages).toHaveLength(1);
      await e.store.close();
    });
});
