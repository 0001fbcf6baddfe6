import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Started, startProcess } from '../helpers/child.ts';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.ts';
import { type Subscriber, subscribe } from '../helpers/mqtt-subscriber.ts';
import { projectRoot } from '../helpers/paths.ts';
import { freePort } from '../helpers/ports.ts';
import { distinctAlerts, expectedIdsPerCamera, idsPerCamera, snapshotHashesMatch } from './fixtures/delivery-checks.ts';

const site = 'site-k';
const cameras = ['cam-1', 'cam-2'];
const fixture = join(projectRoot, 'test/integration/fixtures/publisher-process.ts');

const running: { stop(signal?: NodeJS.Signals): Promise<void> }[] = [];
const subs: Subscriber[] = [];
afterEach(async () => {
  for (const s of subs.splice(0)) await s.close();
  for (const r of running.splice(0).reverse()) await r.stop('SIGKILL');
});

async function publisherProcess(url: string, dataDir: string, alerts: number, ready = new RegExp(`QUEUED ${alerts}`)): Promise<Started> {
  const env = { ...process.env, JIFANG_TEST_PUBLISHER: JSON.stringify({ url, dataDir, site, cameras, alerts, snapshots: true }) };
  const p = await startProcess(process.execPath, ['--import', 'tsx', fixture], ready, { env, cwd: projectRoot, timeoutMs: 30_000 });
  running.push(p);
  return p;
}

async function broker(port?: number): Promise<Mosquitto> {
  const b = await startMosquitto(port === undefined ? {} : { port });
  running.push(b);
  return b;
}

async function watch(url: string): Promise<Subscriber> {
  const s = await subscribe(url, `jifang/v1/${site}/#`);
  subs.push(s);
  return s;
}

describe('publisher process killed with SIGKILL', () => {
  it('delivers, after a restart, every alert it had queued while the broker was unreachable, in order per camera', async () => {
    const port = await freePort();
    const url = `mqtt://127.0.0.1:${port}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'jifang-kill-'));
    const first = await publisherProcess(url, dataDir, 12);
    await first.stop('SIGKILL');

    const b = await broker(port);
    const sub = await watch(b.url);
    await publisherProcess(url, dataDir, 0);
    await sub.waitFor((m) => m.topic.endsWith('/snapshot'), 12, 30_000);
    const alerts = distinctAlerts(sub.messages);
    expect(idsPerCamera(alerts)).toEqual(expectedIdsPerCamera(cameras, 12));
    const hashes = snapshotHashesMatch(sub.messages, alerts);
    expect(Object.keys(hashes)).toHaveLength(12);
    expect(Object.values(hashes).every(Boolean)).toBe(true);
  });

  it('delivers, after a restart, every alert it had reported queued before it was killed mid-stream', async () => {
    const b = await broker();
    const sub = await watch(b.url);
    const dataDir = mkdtempSync(join(tmpdir(), 'jifang-kill-'));
    // Killed while still producing: as soon as 20 alerts are durably queued, with more on the way and in flight.
    const first = await publisherProcess(b.url, dataDir, 200, /queued cam-2-9\n/);
    await first.stop('SIGKILL');
    const queued = [...first.output().matchAll(/^queued (\S+)$/gm)].map((m) => m[1]);
    expect(queued.length).toBeGreaterThanOrEqual(20);

    await publisherProcess(b.url, dataDir, 0);
    await expect.poll(() => queued.filter((id) => !distinctAlerts(sub.messages).some((a) => a.id === id)), { timeout: 30_000 }).toEqual([]);
    // In order per camera and without gaps: {camera}-0, {camera}-1, …
    for (const [camera, got] of Object.entries(idsPerCamera(distinctAlerts(sub.messages)))) {
      expect(got).toEqual(got.map((_, k) => `${camera}-${k}`));
    }
  });

  it('makes the broker publish the Last Will: a retained status with online:false', async () => {
    const b = await broker();
    const sub = await watch(b.url);
    const p = await publisherProcess(b.url, mkdtempSync(join(tmpdir(), 'jifang-kill-')), 0);
    const status = (m: { topic: string }) => m.topic === `jifang/v1/${site}/status`;
    const [online] = await sub.waitFor(status);
    expect(JSON.parse(online.payload.toString())).toMatchObject({ online: true, boxId: 'box-1' });
    await p.stop('SIGKILL');
    const [, will] = await sub.waitFor(status, 2);
    expect(JSON.parse(will.payload.toString())).toMatchObject({ online: false, boxId: 'box-1', agentVersion: '0.1.0' });

    const late = await watch(b.url);
    const [retained] = await late.waitFor(status);
    expect(retained.packet.retain).toBe(true);
    expect(JSON.parse(retained.payload.toString())).toMatchObject({ online: false });
  });
});
