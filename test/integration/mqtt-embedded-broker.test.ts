import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../agent/src/core/log.ts';
import { mqttConfigSchema } from '../../agent/src/publish/config.ts';
import { type BrokerUser, type EmbeddedBroker, startEmbeddedBroker } from '../../agent/src/publish/embedded-broker.ts';
import { createPublisher, type Publisher } from '../../agent/src/publish/publisher.ts';
import { subscribe } from '../helpers/mqtt-subscriber.ts';
import { makeAlert } from './fixtures/alerts.ts';

const site = 'site-a';
const prefix = `jifang/v1/${site}`;
const agentClientId = `jifang-${site}-box-1`;

/** A local client connecting as anyone might: resolves with the CONNACK outcome. */
function tryConnect(url: string, opts: mqtt.IClientOptions): Promise<{ ok: true; client: mqtt.MqttClient } | { ok: false; error: string }> {
  return mqtt
    .connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...opts })
    .then((client) => ({ ok: true as const, client }))
    .catch((err: Error) => ({ ok: false as const, error: err.message }));
}

describe('the embedded broker lets in only the agent and the local operator', { timeout: 60_000 }, () => {
  let dataDir: string;
  let broker: EmbeddedBroker;
  let operator: BrokerUser;
  let pub: Publisher;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'jifang-aedes-'));
    broker = await startEmbeddedBroker({ port: 0, dataDir, prefix, agentClientId }, silentLogger);
    operator = JSON.parse(readFileSync(broker.credentialsFile, 'utf8')).operator;
    pub = createPublisher(
      mqttConfigSchema.parse({ url: broker.url, protocolVersion: 4, reconnectMinSeconds: 0.2, ...broker.agent }),
      { site, boxId: 'box-1', agentVersion: '0.1.0', dataDir, url: broker.url, cameras: [{ id: 'cam-1' }] },
      silentLogger,
    );
    await pub.start();
    await pub.whenConnected(10_000);
  });
  afterAll(async () => {
    await pub?.stop();
    await broker?.close();
  });

  it('generates credentials at first start into the data dir, readable by this user only, and keeps them', async () => {
    expect(broker.credentialsFile).toBe(join(dataDir, 'embedded-broker-credentials.json'));
    expect(statSync(broker.credentialsFile).mode & 0o777).toBe(0o600);
    expect(operator.username).toBe('operator');
    expect(operator.password.length).toBeGreaterThanOrEqual(24);
    const again = await startEmbeddedBroker({ port: 0, dataDir, prefix, agentClientId }, silentLogger);
    try {
      expect(again.agent).toEqual(broker.agent);
    } finally {
      await again.close();
    }
  });

  it('refuses anonymous clients and wrong passwords', async () => {
    expect(await tryConnect(broker.url, {})).toMatchObject({ ok: false, error: expect.stringMatching(/Bad username or password/i) });
    expect(await tryConnect(broker.url, { username: 'operator', password: 'guess' })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/Bad username or password/i),
    });
    expect(await tryConnect(broker.url, { username: broker.agent.username, password: operator.password })).toMatchObject({ ok: false });
  });

  it('refuses an operator’s forged alert and forged retained status, and delivers the agent’s', async () => {
    const watcher = await subscribe(broker.url, `${prefix}/#`, { protocolVersion: 4, ...operator });
    try {
      const forger = await tryConnect(broker.url, { ...operator, clientId: 'forger' });
      if (!forger.ok) throw new Error(forger.error);
      const forged = { id: 'forged', state: 'started' };
      // aedes answers a refused publish by closing the connection; either way nothing may arrive.
      forger.client.publish(`${prefix}/cam-1/events`, JSON.stringify(forged), { qos: 0 });
      forger.client.publish(`${prefix}/status`, JSON.stringify({ online: false, forged: true }), { qos: 0, retain: true });
      await new Promise((r) => setTimeout(r, 1000));
      forger.client.end(true);
      const alert = await makeAlert({ site, camera: 'cam-1', id: 'evt-real' });
      await pub.publishEvent(alert);
      await watcher.waitFor((m) => m.topic === `${prefix}/cam-1/events`);
      const events = watcher.messages.filter((m) => m.topic === `${prefix}/cam-1/events`).map((m) => JSON.parse(m.payload.toString()).id);
      expect(events).toEqual(['evt-real']);
      expect(watcher.messages.some((m) => m.payload.toString().includes('forged'))).toBe(false);
    } finally {
      await watcher.close();
    }
    // A newcomer gets the agent's retained status, not the forged one.
    const late = await subscribe(broker.url, `${prefix}/status`, { protocolVersion: 4, ...operator });
    try {
      const [status] = await late.waitFor(() => true);
      expect(JSON.parse(status.payload.toString())).toMatchObject({ online: true, boxId: 'box-1' });
    } finally {
      await late.close();
    }
  });

  it('refuses the agent’s client id to anyone else: the agent stays connected', async () => {
    const thief = await tryConnect(broker.url, { ...operator, clientId: agentClientId });
    expect(thief).toMatchObject({ ok: false, error: expect.stringMatching(/Not authorized/i) });
    await new Promise((r) => setTimeout(r, 500));
    expect(pub.stats().connected).toBe(true);
    expect(pub.stats().reconnects).toBe(0);
  });

  it('lets the operator send commands, which the agent receives', async () => {
    const box = await subscribe(broker.url, `${prefix}/cmd/#`, { protocolVersion: 4, ...broker.agent, clientId: 'agent-side-check' });
    try {
      const op = await tryConnect(broker.url, { ...operator, clientId: 'console' });
      if (!op.ok) throw new Error(op.error);
      await op.client.publishAsync(`${prefix}/cmd/reload`, '{}', { qos: 1 });
      const [msg] = await box.waitFor(() => true);
      expect(msg.topic).toBe(`${prefix}/cmd/reload`);
      await op.client.endAsync();
    } finally {
      await box.close();
    }
  });
});
