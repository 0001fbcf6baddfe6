import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../agent/src/cli/command.ts';
import { command as riskCommand } from '../../agent/src/cli/risk-command.ts';
import { sharedDir } from '../helpers/paths.ts';

const houston = join(sharedDir, 'risk', 'houston_crime_2010.csv');
const dir = mkdtempSync(join(tmpdir(), 'jifang-risk-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (d) => (o += String(d)));
  err.on('data', (d) => (e += String(d)));
  const code = await runCommand('risk', riskCommand, argv, { out, err });
  return { code, out: o, err: e };
}

describe('jifang risk on the Houston crime records', () => {
  it('backtest prints the same table on two runs, the model beside the four baselines', async () => {
    // Coarse cells and an early first week keep it quick: 3 weeks to choose the weights on, 2 reported.
    const argv = ['backtest', houston, '--cell', '500', '--from', '2010-02-22', '--weeks', '2'];
    const first = await run(...argv);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toContain('86082 records, 85185 incidents added, 897 duplicates, 0 lines skipped');
    expect(first.out).toContain('judged on 2 weeks (2010-02-22 … 2010-03-07)');
    for (const method of ['model', 'uniform', 'last week', 'all history', 'weighted history'])
      expect(first.out).toMatch(new RegExp(`^${method} +\\d+\\.\\d \\[\\d+\\.\\d–\\d+\\.\\d\\]`, 'm'));
    expect(first.out).toMatch(/^ {2}hit@5% +[+−]\d+\.\d\d \[[+−]\d+\.\d\d, [+−]\d+\.\d\d\] vs (last week|all history|weighted history): /m);
    expect(first.out).toMatch(/^ {2}disc@100 /m);
    const second = await run(...argv);
    expect(second.out).toBe(first.out);
  }, 300_000);

  it('plan prints the budget of slots for the week and where patrols can be thinned', async () => {
    const r = await run('plan', houston, '--budget', '12', '--from', '2010-03-15', '--cell', '500', '--drop-point', '29.7633,-95.3633');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('(490 dropped)');
    expect(r.out).toContain('patrol plan 2010-03-15 00:00 → 2010-03-22 00:00 (local time): 12 slots');
    expect(r.out.match(/^- +2010-03-(1[5-9]|2[01]) \d\d:00–\d\d:00 +(29|30)\.\d{5}, -95\.\d{5} +\d+\.\d\d /gm)).toHaveLength(12);
    expect(r.out).toMatch(/patrols can be thinned .*: \d+ cells/);
  }, 300_000);

  it('names the malformed lines of a log and runs on the rest; refuses a bad option value', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'time,lat,lon,category\n2010-01-04T08:00:00-06:00,29.7,-95.3,theft\nsoon,29.7,-95.3,theft\n');
    const r = await run('backtest', bad);
    expect(r.err).toContain(`${bad}:3: time: expected an ISO 8601 time with its offset`);
    expect(r.out).toContain('2 records, 1 incidents added, 0 duplicates, 1 lines skipped');
    expect(r.err).toContain('jifang risk backtest: need at least 2 weeks');
    expect(r.code).toBe(1);
    expect((await run('backtest', bad, '--cell', 'big')).err).toBe(
      'jifang risk backtest: --cell expects a positive number, got "big" (see jifang risk backtest --help)\n',
    );
  });
});
