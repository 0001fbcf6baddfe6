import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { type CenterConfig, parseCenterConfig } from '../../agent/src/center/config.ts';
import { type Center, type CenterOptions, startCenter } from '../../agent/src/center/service.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { type Role, setPassword } from '../../agent/src/web/passwords.ts';
import { launchBrowser, type TestBrowser } from './browser.ts';
import { type Mosquitto, startMosquitto } from './mosquitto.ts';
import { freePort } from './ports.ts';

/** What a center's browser test stands on: a real mosquitto, `jifang center` on SQLite with its users, headless Chromium. */
export interface CenterRig {
  /** The temp folder of it all (the broker's folder, the users file, center.db), removed by close. */
  dir: string;
  /** A test that restarts the broker or the center puts the new one here, so that close stops that one. */
  broker: Mosquitto;
  browser: TestBrowser & { pageErrors: string[] };
  cfg: CenterConfig;
  center: Center;
  /** Stops the center, the browser and the broker and removes the folder; what the test started itself goes first. */
  close(): Promise<void>;
}

export interface CenterRigOptions {
  /** Names the temp folder (jifang-<name>-…), the center's MQTT client id and its config file (<name>.yaml). */
  name: string;
  /** Users file entries: user → [role, password]. */
  users: Record<string, readonly [Role, string]>;
  /** More of the center's `mqtt` section (the broker's URL and the client id are the rig's). */
  mqtt?: Record<string, unknown>;
  /** More top-level sections of the center's config (patrol, risk, forwarders …). */
  config?: Record<string, unknown>;
  /** A persistent broker keeps the center's session across a restart of the center. */
  persistence?: boolean;
  logger?: Logger;
  options?: CenterOptions;
}

export async function startCenterRig(o: CenterRigOptions): Promise<CenterRig> {
  const dir = mkdtempSync(join(tmpdir(), `jifang-${o.name}-`));
  const started: { broker?: Mosquitto; browser?: CenterRig['browser']; center?: Center } = {};
  const stop = async () => {
    await started.center?.close();
    await started.browser?.close();
    await started.broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const broker = await startMosquitto({ persistence: o.persistence ?? false, dir: mkdtempSync(join(dir, 'mq-')) });
    started.broker = broker;
    const browser = await launchBrowser();
    started.browser = browser;
    const cfg = await rigConfig(o, dir, broker);
    const center = await startCenter(cfg, o.logger ?? silentLogger, o.options);
    started.center = center;
    const rig: CenterRig = {
      dir,
      broker,
      browser,
      cfg,
      center,
      close: async () => {
        started.broker = rig.broker;
        started.center = rig.center;
        await stop();
      },
    };
    return rig;
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The users file in `dir` with these entries: user → [role, password]. */
async function writeUsers(dir: string, entries: CenterRigOptions['users']): Promise<string> {
  const users = join(dir, 'users');
  for (const [user, [role, password]] of Object.entries(entries)) await setPassword(users, user, role, password);
  return users;
}

async function rigConfig(o: CenterRigOptions, dir: string, broker: Mosquitto): Promise<CenterConfig> {
  const users = await writeUsers(dir, o.users);
  return parseCenterConfig(
    {
      mqtt: { url: broker.url, clientId: o.name, ...o.mqtt },
      storage: { kind: 'sqlite', path: join(dir, 'center.db') },
      http: { port: await freePort() },
      users,
      ...o.config,
    },
    `${o.name}.yaml`,
    dir,
  );
}

/** What a center's MQTT test stands on without a browser: a real mosquitto and a temp folder with a users file. */
export interface BrokerRig {
  /** The temp folder (the broker's folder, the users file, the archives), removed by close. */
  dir: string;
  broker: Mosquitto;
  /**
   * A center's config on this broker, its archive the SQLite file `db` in `dir` or the PostgreSQL database at a
   * `postgres://` URL; `mqtt` adds to its mqtt section.
   */
  config(mqtt: Record<string, unknown>, db: string): CenterConfig;
  /** Stops the broker and removes the folder; the test closes the centers it started first. */
  close(): Promise<void>;
}

export async function startBrokerRig(o: { name: string; extraConfig?: string }): Promise<BrokerRig> {
  const dir = mkdtempSync(join(tmpdir(), `jifang-${o.name}-`));
  try {
    const users = await writeUsers(dir, { root: ['admin', 'admin-pass-1'] });
    const broker = await startMosquitto({ dir: mkdtempSync(join(dir, 'mq-')), ...(o.extraConfig ? { extraConfig: o.extraConfig } : {}) });
    return {
      dir,
      broker,
      config: (mqtt, db) =>
        parseCenterConfig(
          {
            mqtt: { url: broker.url, ...mqtt },
            storage: db.startsWith('postgres://') ? { kind: 'postgres', url: db } : { kind: 'sqlite', path: join(dir, db) },
            http: { port: 0 },
            users,
            logLevel: 'silent',
          },
          `${o.name}.yaml`,
          dir,
        ),
      close: async () => {
        await broker.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
