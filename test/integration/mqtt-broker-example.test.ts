import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertSchema } from '../../agent/src/contract/alert.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { mqttConfigSchema } from '../../agent/src/publish/config.ts';
import { createPublisher, type Publisher } from '../../agent/src/publish/publisher.ts';
import { issueClientCert, makeTestCerts, type TestCerts } from '../helpers/certs.ts';
import type { Started } from '../helpers/child.ts';
import { runMosquitto } from '../helpers/mosquitto.ts';
import { type Subscriber, subscribe } from '../helpers/mqtt-subscriber.ts';
import { projectRoot } from '../helpers/paths.ts';
import { freePort } from '../helpers/ports.ts';
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
});
