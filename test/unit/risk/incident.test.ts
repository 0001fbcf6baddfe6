import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importIncidentFile } from '../../../agent/src/risk/import-file.ts';
import { IncidentLog, parseIncidentLog } from '../../../agent/src/risk/incident.ts';

const dir = mkdtempSync(join(tmpdir(), 'jifang-risk-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CSV = [
  'id,time,lat,lon,type,beat',
  '1,2026-03-02T08:30:00+08:00,31.2301,121.4701,vending,A1',
  '2,2026-03-02 09:00+0800,31.2302,121.4702,parking,A1',
  '3,yesterday,31.2303,121.4703,vending,A1',
  '4,2026-03-02T10:00:00+08:00,131.2,121.47,vending,A1',
  '5,2026-03-02T10:00:00+08:00,31.2,,vending,A1',
  '6,2026-03-02T11:00:00Z,31.2304,121.4704,"dumping, bulky",A2',
  '7,2026-03-02T12:00:00+08:00,31.2305,121.4705,vending',
  ',2026-03-02T13:00:00+08:00,31.2306,121.4706,vending,A2',
  '',
].join('\n');

describe('incident import', () => {
  it('reads CSV with aliased columns: time with its offset, place, category, id and source', () => {
    const r = parseIncidentLog(CSV, 'hotline.csv');
    expect(r.records).toBe(8);
    expect(r.incidents.map((i) => [i.sourceId, i.category, i.offsetMinutes])).toEqual([
      ['1', 'vending', 480],
      ['2', 'parking', 480],
      ['6', 'dumping, bulky', 0],
      [undefined, 'vending', 480],
    ]);
    expect(r.incidents[0]).toMatchObject({ time: Date.parse('2026-03-02T00:30:00Z'), lat: 31.2301, lon: 121.4701, source: 'hotline.csv' });
  });

  it('names every malformed line as FILE:LINE: field: message (got …) and stores nothing of it', async () => {
    const file = join(dir, 'hotline.csv');
    writeFileSync(file, CSV);
    const log = new IncidentLog();
    const report = await importIncidentFile(file, log);
    expect(report.problems).toEqual([
      `${file}:4: time: expected an ISO 8601 time with its offset, e.g. 2026-03-02T08:30:00+08:00 (got "yesterday")`,
      `${file}:5: lat: expected latitude between -90 and 90 (got "131.2")`,
      `${file}:6: lon: expected longitude in degrees (a number) (got "")`,
      `${file}:8: record: expected 6 fields as the header has, got 5 (got "7,2026-03-02T12:00:00+08:00,31.2305,121.4705,vending")`,
    ]);
    expect(log.incidents.map((i) => i.sourceId)).toEqual(['1', '2', '6', undefined]);
    expect(report).toMatchObject({ records: 8, added: 4, duplicates: 0 });
  });

  it('a re-import adds nothing, and the same incident from another source is recognised by time, place and category', async () => {
    const file = join(dir, 'again.csv');
    writeFileSync(file, CSV);
    const log = new IncidentLog();
    await importIncidentFile(file, log);
    expect(await importIncidentFile(file, log)).toMatchObject({ added: 0, duplicates: 4 });
    const jsonl = join(dir, 'cases.jsonl');
    writeFileSync(
      jsonl,
      [
        '{"time":"2026-03-02T08:30:00+08:00","latitude":31.2301,"longitude":121.4701,"category":"vending","id":99}',
        '{"time":"2026-03-03T08:30:00+08:00","lat":31.25,"lng":121.5,"category":"parking","source":"12345"}',
        '{"time":"2026-03-03T08:30:00+08:00","lat":31.25}',
        'not json',
        '[1,2]',
      ].join('\n'),
    );
    const r = await importIncidentFile(jsonl, log);
    expect(r).toMatchObject({ records: 5, added: 1, duplicates: 1 });
    expect(r.problems).toEqual([
      `${jsonl}:3: lon: expected longitude in degrees (a number) (got nothing)`,
      `${jsonl}:3: category: expected a category (text) (got nothing)`,
      expect.stringMatching(new RegExp(`^${jsonl}:4: record: not JSON: .* \\(got "not json"\\)$`)),
      `${jsonl}:5: record: expected a JSON object (got [1,2])`,
    ]);
    expect(log.incidents.at(-1)).toMatchObject({ source: '12345', category: 'parking' });
  });

  it('refuses a CSV without the columns it needs, naming them', () => {
    const r = parseIncidentLog('when,lat,lon\n2026-03-02T08:30:00+08:00,31.2,121.4\n', 'x.csv');
    expect(r.incidents).toEqual([]);
    expect(r.problems.map((p) => `${p.line}: ${p.field}: ${p.message}`)).toEqual([
      '1: header: no time column (expected one of time, datetime, date_time, timestamp, occurred_at) (got "when,lat,lon")',
      '1: header: no category column (expected one of category, type, offense, offence) (got "when,lat,lon")',
    ]);
  });
});
