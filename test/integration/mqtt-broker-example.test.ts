import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alertSchema } from '../../agent/src/alert/schema.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { mqttConfigSchema } from '../../agent/src/publish/config.ts';
import { createPublisher, type Publisher } from '../../agent/src/publish/publisher.ts';
import type { Started } from '../helpers/child.ts';
import { makeTestCerts } from '../helpers/certs.ts';
import { runMosquitto, writePasswordFile } from '../helpers/mosquitto.ts';
import { projectRoot } from '../helpers/paths.ts';
import { freePort } from '../helpers/ports.ts';
import { makeAlert } from './fixtures/alerts.ts';
import { subscribe, type Subscriber } from '../helpers/mqtt-subscriber.ts';

describe('configs/mosquitto example, as shipped (only paths and port rewritten)', () => {
  let broker: Started | undefined;
  let center: Subscriber | undefined;
  let box: Publisher | undefined;
  afterAll(async () => {
    await box?.stop(1000);
    await center?.close();
    await broker?.stop();
  });

  it('runs, and a box with its certificate, password file and site user gets an alert to the command center', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jifang-example-broker-'));
    const certs = makeTestCerts(join(dir, 'certs'));
    const passwd = writePasswordFile(join(dir, 'passwd'), { 'site-001': 'box-secret', 'command-center': 'center-secret' });
    const port = await freePort();
    const example = readFileSync(join(projectRoot, 'configs/mosquitto/mosquitto.conf'), 'utf8');
    const paths: Record<string, string> = {
      password_file: passwd,
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

    const url = `mqtts://127.0.0.1:${port}`;
    const tls = { ca: readFileSync(certs.ca), cert: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey) };
    center = await subscribe(url, 'jifang/v1/#', { username: 'command-center', password: 'center-secret', ...tls });
    const passwordFile = join(dir, 'box-password');
    writeFileSync(passwordFile, 'box-secret\n');
    box = createPublisher(
      mqttConfigSchema.parse({ url, username: 'site-001', password: { file: passwordFile }, tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey } }),
      { site: 'site-001', boxId: 'box-1', agentVersion: '0.1.0', dataDir: join(dir, 'box') },
      silentLogger,
    );
    await box.start();
    await box.whenConnected(10_000);
    const alert = await makeAlert({ site: 'site-001', camera: 'cam-1', id: 'evt-example' });
    await box.publishEvent(alert);
    const [msg] = await center.waitFor((m) => m.topic === 'jifang/v1/site-001/cam-1/events');
    expect(alertSchema.parse(JSON.parse(msg.payload.toString()))).toEqual(alert);
  });
});
