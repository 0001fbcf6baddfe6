import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type CenterConfig, loadCenterConfig } from '../../../agent/src/center/config.ts';
import { checkText } from '../../../agent/src/center/settings-edit.ts';
import { watchLiveSettings } from '../../../agent/src/center/settings-live.ts';
import { writeFileAtomic } from '../../../agent/src/core/durable.ts';
import { sha256Hex } from '../../../agent/src/core/hash.ts';
import { until } from '../../helpers/until.ts';

const base = 'mqtt:\n  url: mqtt://127.0.0.1:1883\nstorage:\n  kind: sqlite\n  path: center.db\nusers: users\n';
const withForwarder = (id: string) => `${base}forwarders:\n  - id: ${id}\n    url: http://127.0.0.1:9/in\n`;

describe('an instance applies the settings of its config file when the file changes (another instance saved it)', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('applies a valid file written by an atomic rename, keeps running on the old settings past an invalid one, and says so', async () => {
    dir = mkdtempSync(join(tmpdir(), 'jifang-live-settings-'));
    const file = join(dir, 'center.yaml');
    writeFileSync(file, base);
    const cfg = loadCenterConfig(file);
    const applied: CenterConfig[] = [];
    const logged: Record<string, unknown>[] = [];
    const log = pino({ level: 'info' }, { write: (l: string) => void logged.push(JSON.parse(l) as Record<string, unknown>) });
    const live = watchLiveSettings({ file, cfg, instance: 'center-b', apply: (n) => applied.push(n), log, debounceMs: 50 });
    try {
      await writeFileAtomic(file, withForwarder('city'));
      await until(async () => applied.length === 1);
      expect(applied[0].forwarders.map((f) => f.id)).toEqual(['city']);
      expect(logged).toContainEqual(
        expect.objectContaining({
          msg: 'settings applied',
          instance: 'center-b',
          source: 'file',
          after: expect.objectContaining({ forwarders: ['city'] }),
        }),
      );

      await writeFileAtomic(file, withForwarder('City Platform'));
      await until(async () => logged.some((l) => l.msg === 'the config file on disk is invalid: the running settings are kept'));
      expect(applied).toHaveLength(1);
      expect(logged.find((l) => String(l.msg).includes('invalid'))).toMatchObject({
        instance: 'center-b',
        problems: [expect.objectContaining({ path: 'forwarders[0].id' })],
      });

      // A hand edit that is not even YAML: the same.
      await writeFileAtomic(file, `${base}forwarders: [\n`);
      const invalid = () => logged.filter((l) => String(l.msg).includes('invalid'));
      await until(async () => invalid().length === 2);
      expect(invalid()[1].problems).toEqual([expect.objectContaining({ message: expect.stringContaining('not valid YAML') })]);
      expect(applied).toHaveLength(1);

      // An edit saved through this instance is applied once, then the file's change it made is not applied again.
      const mine = withForwarder('district');
      await writeFileAtomic(file, mine);
      const checked = checkText(mine, file);
      if (!('cfg' in checked)) throw new Error('the edit did not pass');
      live.applied(checked.cfg, sha256Hex(mine));
      await writeFileAtomic(file, withForwarder('county'));
      await until(async () => applied.length === 3);
      expect(applied.map((c) => c.forwarders.map((f) => f.id))).toEqual([['city'], ['district'], ['county']]);
      expect(readFileSync(file, 'utf8')).toContain('county');
    } finally {
      live.close();
    }
  });
});
