import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCenterConfig } from '../../agent/src/center/config.ts';
import { type Center, startCenter } from '../../agent/src/center/service.ts';
import type { CenterConfigView, CenterSettings } from '../../agent/src/center/wire.ts';
import { setPassword } from '../../agent/src/web/passwords.ts';
import { labelledJpeg, makeAlert, streetJpeg } from '../helpers/box-simulator.ts';
import { signIn } from '../helpers/center-session.ts';
import { startPlatform } from '../helpers/http-platform.ts';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.ts';
import { type Postgres, startPostgres } from '../helpers/postgres.ts';
import { until } from '../helpers/until.ts';

/**
 * Two real `jifang center` instances on one config file and one PostgreSQL (mqtt.sharedGroup, as a city runs them):
 * an edit through instance A's /admin is applied by instance B too, which then forwards to a real local HTTP platform;
 * an invalid hand-edit of the file leaves both running on the settings they had, and both say so.
 */
describe('a settings edit through one center instance is applied by every instance on the config file', () => {
  let dir: string;
  let file: string;
  let broker: Mosquitto;
  let pg: Postgres;
  let hook: Awaited<ReturnType<typeof startPlatform>>;
  const centers: Partial<Record<'a' | 'b', Center>> = {};
  const logged: Record<'a' | 'b', Record<string, unknown>[]> = { a: [], b: [] };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jifang-settings-instances-'));
    broker = await startMosquitto();
    pg = await startPostgres();
    hook = await startPlatform('{"ok":true}');
    await setPassword(join(dir, 'users'), 'root', 'admin', 'admin-pass-1');
    file = join(dir, 'center.yaml');
    writeFileSync(
      file,
      [
        'name: 两个实例的中心',
        'mqtt:',
        `  url: ${broker.url}`,
        '  sharedGroup: centers',
        'storage:',
        '  kind: postgres',
        `  url: ${pg.createDatabase('settings_instances')}`,
        'http:',
        '  port: 0',
        'users: users',
        'dispatchReminderMinutes: 15',
        '',
      ].join('\n'),
    );
    for (const name of ['a', 'b'] as const) {
      // Two hosts in a city: each instance's client id is its own (the default is made from the host name).
      const cfg = loadCenterConfig(file);
      cfg.mqtt.clientId = `settings-center-${name}`;
      // A leaves the group for good when it closes: the broker keeps no session for it, so B gets every alert after.
      if (name === 'a') cfg.mqtt.sessionExpirySeconds = 0;
      const log = pino({ level: 'info' }, { write: (l: string) => void logged[name].push(JSON.parse(l) as Record<string, unknown>) });
      centers[name] = await startCenter(cfg, log, { configFile: file });
    }
  }, 120_000);

  afterAll(async () => {
    await centers.a?.close();
    await centers.b?.close();
    await new Promise((r) => hook?.server.close(r));
    await broker?.stop();
    pg?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('an invalid hand-edit leaves both on the settings they had, logged and said on /admin', async () => {
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.replace('dispatchReminderMinutes: 15', 'dispatchReminderMinutes: -2'));
    const invalid = (name: 'a' | 'b') =>
      logged[name].some((l) => l.msg === 'the config file on disk is invalid: the running settings are kept');
    await until(async () => invalid('a') && invalid('b'));
    for (const name of ['a', 'b'] as const) {
      const root = await signIn(centers[name]!.url, 'root', 'admin-pass-1');
      expect((await root.json<CenterSettings>('GET', '/api/admin/settings')).body.dispatchReminderMinutes).toBe(15);
      const view = await root.json<{ error: string; problems: { path: string }[] }>('GET', '/api/admin/config');
      expect(view.status).toBe(409);
      expect(view.body.error).toContain('the file on disk is invalid');
      expect(view.body.problems.map((p) => p.path)).toEqual(['dispatchReminderMinutes']);
      expect((await fetch(`${centers[name]!.url}/healthz`)).status).toBe(200);
    }
    writeFileSync(file, good);
  });

  it("an edit through A's /admin changes B's forwarders: B alone forwards the next alert to the new platform", async () => {
    const rootA = await signIn(centers.a!.url, 'root', 'admin-pass-1');
    await until(async () => (await rootA.json('GET', '/api/admin/config')).status === 200);
    const { sha256 } = (await rootA.json<CenterConfigView>('GET', '/api/admin/config')).body;
    const added = await rootA.json('POST', '/api/admin/forwarders', {
      baseSha256: sha256,
      id: 'city',
      name: '城管平台',
      url: `${hook.url}/in`,
      enabled: true,
      states: ['started'],
      categories: null,
      template: null,
      headers: {},
      token: null,
    });
    expect(added.status).toBe(201);
    const rootB = await signIn(centers.b!.url, 'root', 'admin-pass-1');
    const forwardersOfB = async () => (await rootB.json<CenterSettings>('GET', '/api/admin/settings')).body.forwarders.map((f) => f.id);
    await until(async () => (await forwardersOfB()).includes('city'));
    expect(logged.b).toContainEqual(
      expect.objectContaining({
        msg: 'settings applied',
        instance: 'settings-center-b',
        source: 'file',
        after: expect.objectContaining({ forwarders: ['city'] }),
      }),
    );
    expect(logged.a).toContainEqual(expect.objectContaining({ msg: 'settings applied', instance: 'settings-center-a', source: 'admin' }));

    // A is gone: whatever reaches the platform now was forwarded by B, on the forwarder it took from the file.
    await centers.a!.close();
    delete centers.a;
    const box = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'settings-box' });
    const jpeg = labelledJpeg(await streetJpeg(), 'b');
    await box.publishAsync(
      'jifang/v1/s1/c1/events',
      JSON.stringify(makeAlert({ site: 's1', camera: 'c1', id: 'ev-b', seq: 0, state: 'started', jpeg })),
      {
        qos: 1,
      },
    );
    await box.endAsync();
    await until(async () => hook.received.length > 0, 30_000);
    expect(hook.received.map((r) => r.key)).toEqual(['ev-b:0']);
    expect(hook.received[0].body).toMatchObject({ id: 'ev-b', state: 'started' });
  }, 90_000);
});
