import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../agent/src/center/store/postgres.ts';
import { openSqliteStore } from '../../agent/src/center/store/sqlite.ts';
import type { CenterStore } from '../../agent/src/center/store/types.ts';
import { parseIncidentLog } from '../../agent/src/risk/incident.ts';
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
