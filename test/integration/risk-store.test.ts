import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../agent/src/center/store/postgres.ts';
import { openSqliteStore } from '../../agent/src/center/store/sqlite.ts';
import type { CenterStore } from '../../agent/src/center/store/types.ts';
import type { Alert } from '../../agent/src/contract/alert.ts';
import { type Incident, parseIncidentLog } from '../../agent/src/risk/incident.ts';
import { makeAlert } from '../helpers/box-simulator.ts';
import { incoming } from '../helpers/center-archive.ts';
import { type Postgres, startPostgres } from '../helpers/postgres.ts';
import { syntheticCity } from '../helpers/synthetic-city.ts';

/** Imported incidents in the center's archive, on both engines: the embedded SQLite file and a real PostgreSQL. */
let pg: Postgres;
let dir: string;
beforeAll(async () => {
  pg = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), 'jifang-risk-store-'));
}, 60_000);
afterAll(() => {
  pg?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const engines: [string, (n: number) => Promise<CenterStore>][] = [
  ['sqlite', (n) => openSqliteStore(join(dir, `r${n}.db`))],
  ['postgres', (n) => openPostgresStore({ url: pg.createDatabase(`risk${n}`), blobDir: join(dir, 'blobs') })],
];

const log = [
  'time,lat,lon,category,id',
  '2026-03-02T08:30:00+08:00,31.2301,121.4701,vending,a1',
  '2026-03-02T09:30:00+08:00,31.2302,121.4702,parking,a2',
  '2026-03-03T10:30:00+08:00,31.2303,121.4703,dumping,',
].join('\n');

let n = 0;
describe.each(engines)('incidents in the center store on %s', (_name, open) => {
  it('stores each incident once with its source: a re-import and the same incident from another source add nothing', async () => {
    const store = await open(++n);
    const first = parseIncidentLog(log, 'hotline.csv').incidents;
    expect(await store.incidents.saveIncidents(first, 1)).toEqual({ added: 3, duplicates: 0 });
    expect(await store.incidents.saveIncidents(first, 2)).toEqual({ added: 0, duplicates: 3 });
    const again = { ...first[1], source: 'szcg', sourceId: 'x9' };
    const renamed = { ...first[0], lat: 31.3, sourceId: 'a1' };
    expect(await store.incidents.saveIncidents([again, renamed], 3)).toEqual({ added: 0, duplicates: 2 });
    expect(await store.incidents.listIncidents()).toEqual(first);
    expect((await store.incidents.listIncidents({ categories: ['parking'] })).map((i) => i.sourceId)).toEqual(['a2']);
    expect(await store.incidents.listIncidents({ since: first[1].time, until: first[2].time })).toEqual([first[1]]);
    await store.close();
  });

  it('keeps a large import whole, in time order, with local offsets', async () => {
    const store = await open(++n);
    const city = syntheticCity({ weeks: 2 });
    expect(await store.incidents.saveIncidents(city, 1)).toEqual({ added: city.length, duplicates: 0 });
    const back = await store.incidents.listIncidents();
    expect(back).toHaveLength(city.length);
    expect(back.every((i, k) => k === 0 || back[k - 1].time <= i.time)).toBe(true);
    expect(new Set(back.map((i) => i.offsetMinutes))).toEqual(new Set([480]));
    await store.close();
  });
});

const T0 = Date.parse('2026-12-01T09:00:00+08:00');
const PIC = Buffer.from('not a real jpeg: the store keeps only its hash here');
const archived = (site: string, id: string, seq: number, at: number, operator?: Alert['operator']) =>
  incoming(
    {
      ...makeAlert({ site, camera: 'cam-1', id, seq, state: seq ? 'ended' : 'started', jpeg: PIC, at, lon: 121.47, lat: 31.23 }),
      ...(operator ? { operator } : {}),
    },
    at,
  );

describe.each(engines)('the statistics and the patrol plan in the center store on %s', (_name, open) => {
  it("turns the archive's events into incidents once, and takes one back out when an operator calls it false", async () => {
    const store = await open(++n);
    await store.saveEvent(archived('box-a', 'ev-1', 0, T0), []);
    await store.saveEvent(archived('box-a', 'ev-2', 0, T0 + 60_000), []);
    await store.saveEvent(archived('box-b', 'ev-1', 0, T0 + 120_000), []);
    const save = (list: Incident[]) => store.incidents.saveIncidents(list, T0);
    expect(await store.stats.syncArchiveIncidents(480, save)).toEqual({ seen: 3, removed: 0 });
    expect(await store.stats.syncArchiveIncidents(480, save)).toEqual({ seen: 0, removed: 0 });
    const held = await store.incidents.listIncidents();
    expect(held.map((i) => [i.source, i.sourceId, i.category, i.offsetMinutes])).toEqual([
      ['archive', 'box-a/ev-1', 'illegal_parking', 480],
      ['archive', 'box-a/ev-2', 'illegal_parking', 480],
      ['archive', 'box-b/ev-1', 'illegal_parking', 480],
    ]);
    // The box applies "false positive" and says so in the event's next message.
    await store.saveEvent(
      archived('box-a', 'ev-2', 1, T0 + 600_000, { action: 'false_positive', by: 'olga', at: new Date(T0 + 590_000).toISOString() }),
      [],
    );
    expect(await store.stats.syncArchiveIncidents(480, save)).toEqual({ seen: 1, removed: 1 });
    expect((await store.incidents.listIncidents()).map((i) => i.sourceId)).toEqual(['box-a/ev-1', 'box-b/ev-1']);
    await store.close();
  });

  it('reads each event with its first applied ack, dispatch and resolve, and counts incidents inside planned slots', async () => {
    const store = await open(++n);
    await store.saveEvent(archived('box-a', 'ev-1', 0, T0), []);
    const act = async (requestId: string, action: string, at: number, result: 'ok' | 'refused') => {
      await store.recordAction({
        requestId,
        eventId: 'ev-1',
        site: 'box-a',
        action,
        by: 'dora',
        role: 'dispatcher',
        unit: null,
        note: null,
        requestedAt: at,
      });
      await store.finishAction(requestId, result, null, at + 100);
    };
    await act('r1', 'dispatch', T0 + 30_000, 'refused');
    await act('r2', 'ack', T0 + 60_000, 'ok');
    await act('r3', 'dispatch', T0 + 90_000, 'ok');
    await act('r4', 'ack', T0 + 120_000, 'ok');
    const [row] = await store.stats.statsEvents({ since: T0 - 60_000, until: T0 + 3_600_000 });
    expect(row).toMatchObject({ id: 'ev-1', site: 'box-a', firstSeen: T0, ackAt: T0 + 60_000, dispatchAt: T0 + 90_000, resolveAt: null });
    expect(await store.stats.statsEvents({ since: T0 + 1_000_000, until: T0 + 3_600_000 })).toEqual([]);

    await store.incidents.saveIncidents(parseIncidentLog(log, 'hotline.csv').incidents, 1);
    // The first two hotline cases: 2026-03-02 08:30 and 09:30 +08:00, a few metres apart at 31.230, 121.470.
    const start = Date.parse('2026-03-02T08:00:00+08:00');
    const slot = (south: number, startMs: number) => ({
      area: 'u1',
      start: startMs,
      end: startMs + 4 * 3_600_000,
      south,
      north: south + 0.002,
      west: 121.469,
      east: 121.471,
      expected: 0.5,
    });
    expect(await store.stats.savePlannedSlots([slot(31.229, start), slot(31.5, start), slot(31.229, start + 4 * 3_600_000)], 5)).toBe(3);
    expect(await store.stats.savePlannedSlots([slot(31.229, start)], 6)).toBe(0);
    const outcomes = await store.stats.slotOutcomes({ since: start, until: start + 86_400_000 });
    expect(outcomes.map((o) => [o.south, o.start, o.incidents])).toEqual([
      [31.229, start, 2],
      [31.5, start, 0],
      [31.229, start + 4 * 3_600_000, 0],
    ]);
    await store.close();
  });
});
