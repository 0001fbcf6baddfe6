import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../agent/src/core/log.ts';
import { DiskReserve } from '../../agent/src/evidence/reserve.ts';
import { mqttConfigSchema } from '../../agent/src/publish/config.ts';
import { createPublisher } from '../../agent/src/publish/publisher.ts';
import { startProcess } from '../helpers/child.ts';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.ts';
import { type Subscriber, subscribe } from '../helpers/mqtt-subscriber.ts';
import { projectRoot } from '../helpers/paths.ts';
import { freePort } from '../helpers/ports.ts';
import { makeAlert, sampleJpeg } from './fixtures/alerts.ts';

const fixture = join(projectRoot, 'test/integration/fixtures/publisher-process.ts');

const site = 'site-full';

/** Fills the file system to its last byte (the file holds whatever fitted). */
function fill(path: string): void {
  try {
    writeFileSync(path, Buffer.alloc(8 * 1024 * 1024));
  } catch {
    // ENOSPC: full now.
  }
}

/**
 * A real full disk: the publisher's data folder on a 4 MiB tmpfs mounted for the test (the suite runs as root, as CI
 * does), real mosquitto. Like test/integration/audit-disk-full.test.ts for the audit log.
 */
describe('alerts on a disk that fills up and frees again (real tmpfs, real mosquitto)', () => {
  let mount: string;
  let broker: Mosquitto;
  let sub: Subscriber;
  const rejections: unknown[] = [];
  const onRejection = (r: unknown) => rejections.push(r);

  beforeAll(async () => {
    mount = mkdtempSync(join(tmpdir(), 'jifang-outbox-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mount]);
    broker = await startMosquitto();
    sub = await subscribe(broker.url, `jifang/v1/${site}/#`);
    process.on('unhandledRejection', onRejection);
  }, 60_000);
  afterAll(async () => {
    process.off('unhandledRejection', onRejection);
    await sub?.close();
    await broker?.stop();
    execFileSync('umount', ['-l', mount]);
    rmSync(mount, { recursive: true, force: true });
  });

  it('delivers every alert while the outbox cannot write, sheds snapshots and evidence, says degraded with figures, and recovers', async () => {
    const dataDir = join(mount, 'data');
    mkdirSync(dataDir);
    const publisher = createPublisher(
      // No delivered window: it would give its room to new alerts first (outbox.test.ts), and this is the outbox's own path.
      mqttConfigSchema.parse({ url: broker.url, reconnectMinSeconds: 0.2, outbox: { keepDeliveredHours: 0, heldReserveMegabytes: 0.25 } }),
      { site, boxId: 'box-1', agentVersion: '0.1.0', dataDir, cameras: [{ id: 'cam-1' }] },
      silentLogger,
    );
    await publisher.start();
    await publisher.whenConnected(20_000);
    const reserve = new DiskReserve(mount, 1024 * 1024, silentLogger);
    const jpeg = sampleJpeg();
    let n = 0;
    const send = async (count: number) => {
      for (let i = 0; i < count; i++)
        await publisher.publishEvent(await makeAlert({ site, camera: 'cam-1', id: `cam-1-${n++}` }, jpeg), jpeg);
    };
    const events = () =>
      new Set(sub.messages.filter((m) => m.topic.endsWith('/events')).map((m) => (JSON.parse(m.payload.toString()) as { id: string }).id));

    await send(5);
    await reserve.admit('snapshots');
    expect(publisher.degraded).toBeUndefined();

    const filler = join(mount, 'filler');
    fill(filler);
    // Snapshots are new files: the disk refuses them, and each alert with them.
    await send(20);
    expect(publisher.degraded).toMatch(
      /^disk full: the outbox in .* refuses writes \(ENOSPC: .*\) since .*; \d+ alerts held in memory \(at most 2000\), 20 dropped$/,
    );
    // Free space is read at most once a second.
    await new Promise((r) => setTimeout(r, 1100));
    await expect(reserve.admit('snapshots')).rejects.toThrow(
      /^disk full: evidence shed since .*, 0 MB free on .* below the reserve of 1 MB \(1 snapshots, 0 clips not stored\)/,
    );
    expect(reserve.degraded).toMatch(/^disk full: evidence shed/);
    // Sent from memory meanwhile: the 20 alerts arrive, their snapshots do not.
    await sub.waitFor((m) => m.topic.endsWith('/events'), 25, 30_000);
    expect(publisher.stats().held).toBe(0);

    rmSync(filler);
    await send(5);
    const deadline = Date.now() + 10_000;
    while (publisher.degraded !== undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(publisher.degraded).toBeUndefined();
    await new Promise((r) => setTimeout(r, 1100));
    await reserve.admit('snapshots');
    expect(reserve.degraded).toBeUndefined();
    await sub.waitFor((m) => m.topic.endsWith('/events'), 30, 30_000);
    // No alert missing: every one of the 30, once space returned their snapshots too.
    expect([...events()].sort()).toEqual(Array.from({ length: 30 }, (_, k) => `cam-1-${k}`).sort());
    await sub.waitFor((m) => m.topic.endsWith('/snapshot'), 10, 30_000);
    await publisher.stop();
    expect(rejections).toEqual([]);
  }, 120_000);

  it('loses no alert when the process is killed (SIGKILL) while the disk is full and the broker away', async () => {
    const dataDir = join(mount, 'data-kill');
    mkdirSync(dataDir);
    const filler = join(mount, 'filler-kill');
    // No broker where it points: the alerts stay on the box until it is killed.
    const away = `mqtt://127.0.0.1:${await freePort()}`;
    const spec = {
      url: away,
      dataDir,
      site,
      cameras: ['cam-9'],
      alerts: 10,
      snapshots: false,
      outbox: { heldReserveMegabytes: 0.25 },
      fill: filler,
    };
    const env = { ...process.env, JIFANG_TEST_PUBLISHER: JSON.stringify(spec) };
    const child = await startProcess(process.execPath, ['--import', 'tsx', fixture], /QUEUED 10/, {
      env,
      cwd: projectRoot,
      timeoutMs: 60_000,
    });
    await child.stop('SIGKILL');

    rmSync(filler);
    const publisher = createPublisher(
      mqttConfigSchema.parse({ url: broker.url, reconnectMinSeconds: 0.2 }),
      { site, boxId: 'box-1', agentVersion: '0.1.0', dataDir, cameras: [{ id: 'cam-9' }] },
      silentLogger,
    );
    await publisher.start();
    try {
      await sub.waitFor((m) => m.topic.endsWith('/cam-9/events'), 10, 30_000);
      const alerts = sub.messages
        .filter((m) => m.topic.endsWith('/cam-9/events'))
        .map((m) => JSON.parse(m.payload.toString()) as { id: string; publication: number });
      expect(alerts.map((a) => a.id).sort()).toEqual(Array.from({ length: 10 }, (_, k) => `cam-9-${k}`).sort());
      // Their publication numbers are theirs: the next alert takes a new one.
      await publisher.publishEvent(await makeAlert({ site, camera: 'cam-9', id: 'cam-9-after' }));
      await sub.waitFor((m) => m.topic.endsWith('/cam-9/events'), 11, 30_000);
      const numbers = sub.messages
        .filter((m) => m.topic.endsWith('/cam-9/events'))
        .map((m) => (JSON.parse(m.payload.toString()) as { publication: number }).publication);
      expect(new Set(numbers).size).toBe(11);
    } finally {
      await publisher.stop();
    }
  }, 120_000);
});
