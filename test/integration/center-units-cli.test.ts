import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCenterConfig } from '../../agent/src/center/config.ts';
import { startCenter } from '../../agent/src/center/service.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { setPassword } from '../../agent/src/web/passwords.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { startMosquitto } from '../helpers/mosquitto.ts';
import { projectRoot } from '../helpers/paths.ts';

import { freePort } from '../helpers/ports.ts';
import { until } from '../helpers/until.ts';

/** `jifang center units`: the patrol units managed from a shell on the server, in the real SQLite archive. */
describe('jifang center units', () => {
  let dir: string;
  let cfg: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'jifang-center-units-'));
    cfg = join(dir, 'center.yaml');
    writeFileSync(
      cfg,
      JSON.stringify({ mqtt: { url: 'mqtt://127.0.0.1:1' }, storage: { kind: 'sqlite', path: 'center.db' }, users: 'users' }),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const jifang = (config: string, ...args: string[]) =>
    spawnSync(process.execPath, [join(projectRoot, 'bin', 'jifang.mjs'), 'center', 'units', config, ...args], {
      encoding: 'utf8',
      env: { ...process.env, JIFANG_RUN_FROM: 'source', JIFANG_LOG_LEVEL: 'silent' },
    });

  it('puts a unit from a YAML file, lists it, refuses a bad file naming the field, and deletes it', () => {
    const good = join(dir, 'team-1.yaml');
    writeFileSync(good, 'name: 城管一中队\nmembers: [pat]\narea:\n  - [[121.47, 31.23], [121.48, 31.23], [121.48, 31.24]]\n');
    expect(jifang(cfg, 'put', 'team-1', good)).toMatchObject({ status: 0, stdout: 'unit team-1 created\n' });
    expect(jifang(cfg, 'put', 'team-1', good)).toMatchObject({ status: 0, stdout: 'unit team-1 replaced\n' });
    expect(jifang(cfg)).toMatchObject({ status: 0, stdout: 'team-1\tteam\t城管一中队\tmembers: pat\tarea rings: 1\n' });
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: x\nkind: squad\n');
    const refused = jifang(cfg, 'put', 'team-2', bad);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('kind');
    expect(jifang(cfg).stdout).not.toContain('team-2');
    expect(jifang(cfg, 'put', 'Bad Id', good).status).toBe(2);
    expect(jifang(cfg, 'delete', 'team-1')).toMatchObject({ status: 0, stdout: 'unit team-1 deleted\n' });
    expect(jifang(cfg, 'delete', 'team-1')).toMatchObject({ status: 1, stdout: 'no unit team-1\n' });
  }, 60_000);

  it('a unit put, changed and deleted from the shell shows on the units page a running center has open, within seconds (Chromium)', async () => {
    const live = mkdtempSync(join(dir, 'live-'));
    const broker = await startMosquitto({ persistence: false, dir: mkdtempSync(join(live, 'mq-')) });
    const browser = await launchBrowser();
    const raw = {
      mqtt: { url: broker.url },
      storage: { kind: 'sqlite', path: 'center.db' },
      users: 'users',
      http: { port: await freePort() },
    };
    const config = join(live, 'center.yaml');
    writeFileSync(config, JSON.stringify(raw));
    await setPassword(join(live, 'users'), 'ada', 'admin', 'admin-pass-1');
    const center = await startCenter(parseCenterConfig(raw, config, live), silentLogger);
    try {
      const { page } = await browser.page({ lang: 'en-US', width: 1440, height: 900 });
      await page.goto(`${center.url}/login`);
      await page.fill('#user', 'ada');
      await page.fill('#password', 'admin-pass-1');
      await page.click('#login-submit');
      await page.waitForSelector('#live.on', { timeout: 30_000 });
      await page.goto(`${center.url}/units`);
      await page.waitForSelector('#units-empty');

      const file = join(live, 'night.yaml');
      writeFileSync(file, 'name: Night shift\nkind: officer\nmembers: [pat]\n');
      expect(jifang(config, 'put', 'night', file)).toMatchObject({ status: 0, stdout: 'unit night created\n' });
      const row = 'tr[data-unit="night"]';
      await page.waitForSelector(row, { timeout: 10_000 });
      expect(await page.textContent(`${row} strong`)).toBe('Night shift');

      writeFileSync(file, 'name: Night shift (east)\nkind: officer\nmembers: [pat, pat2]\n');
      expect(jifang(config, 'put', 'night', file).status).toBe(0);
      await until(async () => (await page.textContent(`${row} strong`)) === 'Night shift (east)', 10_000);
      expect(await page.textContent(`${row} td.members`)).toBe('pat, pat2');

      expect(jifang(config, 'delete', 'night')).toMatchObject({ status: 0, stdout: 'unit night deleted\n' });
      await page.waitForSelector(row, { state: 'detached', timeout: 10_000 });
      expect(browser.pageErrors).toEqual([]);
    } finally {
      await center.close();
      await browser.close();
      await broker.stop();
    }
  }, 120_000);
});
