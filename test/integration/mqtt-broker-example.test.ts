import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCenterConfig } from '../../agent/src/center/config.ts';
import { type Center, startCenter } from '../../agent/src/center/service.ts';
import { alertSchema } from '../../agent/src/contract/alert.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { mqttConfigSchema } from '../../agent/src/publish/config.ts';
import { createPublisher, type Publisher } from '../../agent/src/publish/publisher.ts';
import { setPassword } from '../../agent/src/web/passwords.ts';
import { issueClientCert, makeTestCerts, type TestCerts } from '../helpers/certs.ts';
import type { Started } from '../helpers/child.ts';
import { runMosquitto } from '../helpers/mosquitto.ts';
import { type Subscriber, subscribe } from '../helpers/mqtt-subscriber.ts';
import { projectRoot } from '../helpers/paths.ts';
import { freePort } from '../helpers/ports.ts';
import { startPostgres } from '../helpers/postgres.ts';
import { makeAlert } from './fixtures/alerts.ts';

describe('configs/mosquitto example, as shipped (only paths and port rewritten)', { timeout: 60_000 }, () => {
  let broker: Started | undefined;
  let center: Subscriber | undefined;
  let box: Publisher | undefined;
  let dir: string;
  let certs: TestCerts;
  let url: string;
  const tlsOf = (c: { cert: string; key: string }) => ({
    ca: readFileSync(certs.ca),
    cert: readFileSync(c.cert),
    key: readFileSync(c.key),
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jifang-example-broker-'));
    certs = makeTestCerts(join(dir, 'certs'), 'site-001');
    const port = await freePort();
    const example = readFileSync(join(projectRoot, 'configs/mosquitto/mosquitto.conf'), 'utf8');
    const paths: Record<string, string> = {
      acl_file: join(projectRoot, 'configs/mosquitto/jifang.acl'),
      cafile: certs.ca,
      certfile: certs.serverCert,
      keyfile: certs.serverKey,
      persistence_location: `${dir}/`,
    };
    const config = example
      .replace(/^listener 8883$/m, `listener ${port} 127.0.0.1`)
      .replace(/^(\w+) \/.*$/gm, (line, key: string) => (paths[key] ? `${key} ${paths[key]}` : line));
    expect(config.split('\n').filter((l) => !l.startsWith('#') && /\/etc\/|\/var\//.test(l))).toEqual([]);
    broker = await runMosquitto(dir, config);
    url = `mqtts://127.0.0.1:${port}`;
    center = await subscribe(url, 'jifang/v1/#', tlsOf(issueClientCert(certs, 'command-center')));
  });
  afterAll(async () => {
    await box?.stop(1000);
    await center?.close();
    await broker?.stop();
  });

  it('runs, and a box with its certificate gets an alert to the command center', async () => {
    box = createPublisher(
      mqttConfigSchema.parse({ url, tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey } }),
      { site: 'site-001', boxId: 'box-1', agentVersion: '0.1.0', dataDir: join(dir, 'box') },
      silentLogger,
    );
    await box.start();
    await box.whenConnected(10_000);
    const alert = await makeAlert({ site: 'site-001', camera: 'cam-1', id: 'evt-example' });
    await box.publishEvent(alert);
    const [msg] = await center!.waitFor((m) => m.topic === 'jifang/v1/site-001/cam-1/events');
    expect(alertSchema.parse(JSON.parse(msg.payload.toString()))).toEqual({ ...alert, publication: 1 });
  });

  it('a box connecting with another box’s client id does not knock it off', async () => {
    const other = issueClientCert(certs, 'site-002');
    const intruder = await mqtt.connectAsync(url, {
      ...tlsOf(other),
      clientId: 'jifang-site-001-box-1',
      protocolVersion: 5,
      reconnectPeriod: 0,
    });
    try {
      await new Promise((r) => setTimeout(r, 1500));
      expect(box!.stats()).toMatchObject({ connected: true, reconnects: 0 });
      const alert = await makeAlert({ site: 'site-001', camera: 'cam-1', id: 'evt-after-intruder' });
      await box!.publishEvent(alert);
      await center!.waitFor((m) => m.payload.toString().includes('evt-after-intruder'));
      expect(box!.stats().reconnects).toBe(0);
    } finally {
      await intruder.endAsync(true);
    }
  });

  it('one site’s certificate with another site’s user name and password cannot act as that site', async () => {
    const mixed = await mqtt.connectAsync(url, {
      ...tlsOf({ cert: certs.clientCert, key: certs.clientKey }),
      username: 'site-002',
      password: 'site-002-secret',
      clientId: 'mixed',
      protocolVersion: 5,
      reconnectPeriod: 0,
    });
    try {
      // Its identity is its certificate (site-001): site-002's topics are refused (MQTT 5: PUBACK "not authorized").
      const refused = await mixed.publishAsync('jifang/v1/site-002/cam-1/events', JSON.stringify({ id: 'forged-002' }), { qos: 1 }).then(
        (packet) => (packet as { reasonCode?: number } | undefined)?.reasonCode ?? 0,
        (err: Error & { code?: number }) => err.code ?? -1,
      );
      expect(refused).toBe(135);
      await new Promise((r) => setTimeout(r, 500));
      expect(center!.messages.some((m) => m.payload.toString().includes('forged-002'))).toBe(false);
    } finally {
      await mixed.endAsync(true);
    }
  });

  it('two command center instances, each with its own certificate and the same ACL, stay connected together and share the alerts', async () => {
    // The test's own subscriber holds the first identity (CN=command-center): it leaves, the instances take over.
    await center?.close();
    center = undefined;
    const pg = await startPostgres();
    const users = join(dir, 'center-users');
    await setPassword(users, 'root', 'admin', 'admin-pass-1');
    const storage = { kind: 'postgres', url: pg.createDatabase('instances') };
    const unreachable: string[] = [];
    const centers: Center[] = [];
    try {
      for (const [name, cn] of [
        ['center-a', 'command-center'],
        ['center-b', 'command-center-2'],
      ] as const) {
        const cert = issueClientCert(certs, cn);
        const cfg = parseCenterConfig(
          {
            mqtt: { url, sharedGroup: 'jifang-center', clientId: name, tls: { ca: certs.ca, ...cert } },
            storage,
            http: { port: await freePort() },
            users,
            dataDir: join(dir, 'center-files'),
          },
          'center.yaml',
          dir,
        );
        // The link logs each loss of the broker: a second instance knocking the first off shows here.
        const log = pino(
          { level: 'warn' },
          { write: (l: string) => void (l.includes('unreachable') && unreachable.push(`${name}: ${l}`)) },
        );
        centers.push(await startCenter(cfg, log));
      }
      const ids = Array.from({ length: 20 }, (_, i) => `evt-two-centers-${i}`);
      for (const id of ids) await box!.publishEvent(await makeAlert({ site: 'site-001', camera: 'cam-1', id }));
      const [a, b] = centers as [Center, Center];
      const end = Date.now() + 30_000;
      while ((await a.store.counts()).events < ids.length && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
      for (const id of ids) expect((await a.store.getEvent(id, 'site-001'))?.messages.length).toBe(1);
      // Both received a share (MQTT 5 shared subscription), nothing twice, neither lost the broker.
      expect(a.counters.events).toBeGreaterThan(0);
      expect(b.counters.events).toBeGreaterThan(0);
      expect(a.counters.events + b.counters.events).toBe(ids.length);
      expect(a.counters.duplicates + b.counters.duplicates).toBe(0);
      expect([a.link.connected(), b.link.connected()]).toEqual([true, true]);
      expect(unreachable).toEqual([]);
    } finally {
      for (const c of centers) await c.close();
      pg.remove();
      rmSync(join(dir, 'center-files'), { recursive: true, force: true });
    }
  });
});
