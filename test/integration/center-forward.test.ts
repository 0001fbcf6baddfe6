import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CenterConfig, parseCenterConfig } from '../../agent/src/center/config.ts';
import { type Center, startCenter } from '../../agent/src/center/service.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { setPassword } from '../../agent/src/web/passwords.ts';
import { labelledJpeg, makeAlert, streetJpeg } from '../helpers/box-simulator.ts';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.ts';

/**
 * One alert, several platforms: a real HTTP webhook that refuses the first tries, one that is down for good, the
 * center on SQLite and mosquitto, restarted with deliveries still queued.
 */
let dir: string;
let broker: Mosquitto;
let hook: Server;
let center: Center | undefined;
const received: { body: Record<string, unknown>; key: string | undefined; auth: string | undefined }[] = [];
let refuse = 3;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jifang-center-fwd-'));
  broker = await startMosquitto();
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (refuse-- > 0) {
        res.writeHead(503).end('busy');
        return;
      }
      received.push({
        body: JSON.parse(body) as Record<string, unknown>,
        key: req.headers['idempotency-key'] as string | undefined,
        auth: req.headers.authorization,
      });
      res.writeHead(201).end('{}');
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
});
afterAll(async () => {
  await center?.close();
  await new Promise((r) => hook?.close(r));
  await broker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('delivers each lifecycle message once per platform in its own mapping, retrying through refusals and a restart; a platform that stays down is shown failed', async () => {
  const users = join(dir, 'users');
  await setPassword(users, 'admin', 'admin', 'admin-pass-1');
  const port = (hook.address() as AddressInfo).port;
  const cfg: CenterConfig = parseCenterConfig(
    {
      mqtt: { url: broker.url, clientId: 'center-fwd' },
      storage: { kind: 'sqlite', path: join(dir, 'center.db') },
      http: { port: 0 },
      users,
      forwarders: [
        {
          id: 'city',
          url: `http://127.0.0.1:${port}/events`,
          token: 'tok-1',
          states: ['started', 'ended'],
          retryMinSeconds: 0.2,
          retryMaxSeconds: 0.5,
          template: {
            eventCode: '{{category.code}}',
            externalId: '{{id}}',
            state: '{{state}}',
            lon: '{{location.coordinates.0}}',
            title: '{{type}} @ {{address}}',
          },
        },
        { id: 'district', url: 'http://127.0.0.1:9/down', maxAttempts: 3, retryMinSeconds: 0.2, retryMaxSeconds: 0.3, timeoutSeconds: 2 },
      ],
    },
    'fwd.yaml',
    dir,
  );
  center = await startCenter(cfg, silentLogger);
  const box = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'fwd-box' });
  const base = await streetJpeg();
  const publish = async (seq: number, state: 'started' | 'updated' | 'ended') => {
    const jpeg = labelledJpeg(base, `fwd:${seq}`);
    const alert = {
      ...makeAlert({ site: 'fwd-site', camera: 'cam-1', id: 'fwd-ev', seq, state, jpeg, type: 'street_vending' }),
      category: {
        id: 'street_vending',
        name: '占道经营',
        nameEn: 'Street vending',
        standard: 'GB/T 47678.5-2026',
        code: '09006',
        catalogueVersion: '2026.12-1',
      },
    };
    await box.publishAsync('jifang/v1/fwd-site/cam-1/events', JSON.stringify(alert), { qos: 1 });
  };
  await publish(0, 'started');
  // Published twice (at-least-once): still one delivery.
  await publish(0, 'started');
  await publish(1, 'updated');

  // The center stops before the refusals are over; the queue is in the archive and goes on after the restart.
  await new Promise((r) => setTimeout(r, 700));
  await center.close();
  center = await startCenter(cfg, silentLogger);
  await publish(2, 'ended');
  const deadline = Date.now() + 30_000;
  const done = async () => {
    const s = await center!.store.deliveryStats();
    return s.find((x) => x.forwarder === 'city')?.delivered === 2 && s.find((x) => x.forwarder === 'district')?.failed === 2;
  };
  while (!(await done()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await box.endAsync();

  expect(received.map((r) => r.key).sort()).toEqual(['fwd-ev:0', 'fwd-ev:2']);
  expect(received.find((r) => r.key === 'fwd-ev:0')).toMatchObject({
    auth: 'Bearer tok-1',
    body: {
      eventCode: '09006',
      externalId: 'fwd-ev',
      state: 'started',
      lon: 121.4738,
      title: 'street_vending @ No. 1 Demo Street (fwd-site)',
    },
  });
  const stats = await center.store.deliveryStats();
  expect(stats.find((s) => s.forwarder === 'city')).toMatchObject({ delivered: 2, pending: 0, failed: 0 });
  expect(stats.find((s) => s.forwarder === 'district')).toMatchObject({ delivered: 0, failed: 2 });
  expect(stats.find((s) => s.forwarder === 'district')!.lastError).toMatch(/ECONNREFUSED|fetch failed/);
}, 90_000);
