import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IClientOptions } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachCommandChannel } from '../../agent/src/commands/channel.ts';
import type { CommandHandlers } from '../../agent/src/commands/handlers/types.ts';
import { createCommandRouter } from '../../agent/src/commands/router.ts';
import { type CommandResult, commandResultSchema } from '../../agent/src/contract/commands.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { mqttConfigSchema } from '../../agent/src/publish/config.ts';
import type { OutboxDrop } from '../../agent/src/publish/outbox.ts';
import { createPublisher, type Publisher } from '../../agent/src/publish/publisher.ts';
import { type SecureMosquitto, startSecureMosquitto } from '../helpers/mosquitto.ts';
import { type Received, type Subscriber, subscribe } from '../helpers/mqtt-subscriber.ts';
import { projectRoot } from '../helpers/paths.ts';
import { makeAlert, sampleJpeg } from './fixtures/alerts.ts';

const users = { 'site-a': 'box-a-password', 'site-b': 'box-b-password', 'command-center': 'center-password' };
const exampleAcl = readFileSync(join(projectRoot, 'configs/mosquitto/jifang.acl'), 'utf8');

/** A stand-in for the rules engine: which events exist and the last operator action on each. */
function eventStore() {
  const events = new Map<string, { action: string | null; unit?: string }>([
    ['evt-1', { action: null }],
    ['evt-2', { action: null }],
  ]);
  const jpeg = sampleJpeg('street-sf.jpg');
  const handlers: CommandHandlers = {
    applyEventAction(cmd) {
      const e = events.get(cmd.eventId);
      if (!e) return { ok: false, error: `unknown event id "${cmd.eventId}"` };
      events.set(cmd.eventId, { action: cmd.action, ...(cmd.unit ? { unit: cmd.unit } : {}) });
      return { ok: true, detail: { eventId: cmd.eventId, action: cmd.action } };
    },
    cameras: () => ['cam-1'],
    snapshot: async () => ({ ok: true, jpeg, width: 1330, height: 1330, sha256: createHash('sha256').update(jpeg).digest('hex') }),
    reload: async () => {
      await held.promise;
      return { ok: true, detail: { changed: false } };
    },
    captureReference: (camera) => ({ ok: false, error: `camera "${camera}" has no rule reading static foreground` }),
    resend: () => ({ ok: false, error: 'no box publisher in this test' }),
  };
  /** Reloads wait for this; replaced by a test that keeps one from finishing. */
  const held = { promise: Promise.resolve() };
  return { events, handlers, held, state: () => JSON.stringify([...events]) };
}

describe('commands over TLS with client certificates, a password file and the example ACL', () => {
  let broker: SecureMosquitto;
  let center: Subscriber;
  let box: Publisher;
  let store: ReturnType<typeof eventStore>;
  let dataDir: string;
  const tls = () => ({
    ca: readFileSync(broker.certs.ca),
    cert: readFileSync(broker.certs.clientCert),
    key: readFileSync(broker.certs.clientKey),
  });
  const boxConfig = (site: keyof typeof users) => {
    const passwordFile = join(broker.dir, `${site}.password`);
    writeFileSync(passwordFile, `${users[site]}\n`);
    return mqttConfigSchema.parse({
      url: broker.url,
      username: site,
      password: { file: passwordFile },
      tls: { ca: broker.certs.ca, cert: broker.certs.clientCert, key: broker.certs.clientKey },
      reconnectMinSeconds: 0.3,
    });
  };
  /** `handlerAfterConnect`: as a composition root may do; commands the broker held for the box must still be answered. */
  const startBox = async (handlerAfterConnect = false) => {
    const p = createPublisher(boxConfig('site-a'), { site: 'site-a', boxId: 'box-a', agentVersion: '0.1.0', dataDir }, silentLogger);
    const router = createCommandRouter({
      topics: p.topics,
      boxId: 'box-a',
      handlers: store.handlers,
      log: silentLogger,
      maxAgeMs: boxConfig('site-a').commandMaxAgeMinutes * 60_000,
    });
    if (!handlerAfterConnect) await attachCommandChannel(p, router);
    await p.start();
    await p.whenConnected(10_000);
    if (handlerAfterConnect) await attachCommandChannel(p, router);
    return p;
  };
  const asCenter: IClientOptions = { username: 'command-center', password: users['command-center'] };
  const send = (topic: string, body: unknown, properties?: { responseTopic: string; correlationData: Buffer }) =>
    center.client.publishAsync(topic, typeof body === 'string' ? body : JSON.stringify(body), {
      qos: 1,
      ...(properties ? { properties } : {}),
    });
  const resultOf = (m: Received): CommandResult => commandResultSchema.parse(JSON.parse(m.payload.toString()));
  /** Sends a command tagged with a fresh requestId and returns the reply on …/cmd-result. */
  let n = 0;
  const command = async (name: string, body: Record<string, unknown>) => {
    const requestId = `req-${++n}`;
    await send(`jifang/v1/site-a/cmd/${name}`, { ...body, requestId });
    const [reply] = await center.waitFor((m) => m.topic === 'jifang/v1/site-a/cmd-result' && resultOf(m).requestId === requestId);
    return resultOf(reply);
  };

  beforeAll(async () => {
    broker = await startSecureMosquitto({ users, acl: exampleAcl });
    center = await subscribe(broker.url, 'jifang/v1/#', { ...asCenter, ...tls() });
    store = eventStore();
    dataDir = mkdtempSync(join(tmpdir(), 'jifang-cmd-'));
    box = await startBox();
  });
  afterAll(async () => {
    await box?.stop();
    await center?.close();
    await broker?.stop();
  });

  it('applies a dispatch and answers on cmd-result and on the MQTT 5 response topic with the correlation data', async () => {
    const responseTopic = 'jifang/v1/site-a/cmd-result/center-7';
    const correlationData = Buffer.from('corr-1234');
    await send(
      'jifang/v1/site-a/cmd/event',
      { eventId: 'evt-1', action: 'dispatch', by: 'dispatcher-3', unit: 'patrol-12' },
      { responseTopic, correlationData },
    );
    const [onResult] = await center.waitFor((m) => m.topic === 'jifang/v1/site-a/cmd-result');
    const [onResponse] = await center.waitFor((m) => m.topic === responseTopic);
    expect(resultOf(onResult)).toMatchObject({
      command: 'event',
      ok: true,
      boxId: 'box-a',
      detail: { eventId: 'evt-1', action: 'dispatch' },
    });
    expect(resultOf(onResponse)).toEqual(resultOf(onResult));
    expect(onResponse.packet.properties?.correlationData).toEqual(correlationData);
    expect(store.events.get('evt-1')).toEqual({ action: 'dispatch', unit: 'patrol-12' });
  });

  it('does not let a response topic make the box write over its own status', async () => {
    await send(
      'jifang/v1/site-a/cmd/reload',
      { requestId: 'hijack' },
      { responseTopic: 'jifang/v1/site-a/status', correlationData: Buffer.from('x') },
    );
    const [reply] = await center.waitFor((m) => m.topic === 'jifang/v1/site-a/cmd-result' && resultOf(m).requestId === 'hijack');
    expect(resultOf(reply)).toMatchObject({ command: 'reload', ok: true });
    // Round-trip one more command so anything the box published for the first one has arrived.
    await command('reload', {});
    const statuses = center.messages
      .filter((m) => m.topic === 'jifang/v1/site-a/status')
      .map((m) => JSON.parse(m.payload.toString()) as Record<string, unknown>);
    expect(statuses.filter((s) => s.schema === 'jifang.cmd-result/1')).toEqual([]);
  });

  it('answers invalid JSON, an unknown action and an unknown event id with an error, changing nothing', async () => {
    const before = store.state();
    await send('jifang/v1/site-a/cmd/event', '{"eventId": "evt-2", "action": "ack", "requestId": "req-json"');
    const [badJson] = await center.waitFor(
      (m) => m.topic === 'jifang/v1/site-a/cmd-result' && /not valid JSON/.test(resultOf(m).error ?? ''),
    );
    expect(resultOf(badJson)).toMatchObject({ ok: false, command: 'event' });

    expect(await command('event', { eventId: 'evt-2', action: 'tow_away', by: 'op' })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/action: .*"ack"/),
    });
    expect(await command('event', { eventId: 'evt-404', action: 'ack', by: 'op' })).toMatchObject({
      ok: false,
      error: 'unknown event id "evt-404"',
    });
    expect(await command('shutdown', {})).toMatchObject({ ok: false, error: expect.stringMatching(/unknown command "shutdown"/) });
    expect(store.state()).toBe(before);
  });

  it("does not act on a command under another box's prefix: the ACL keeps it from ever reaching this box", async () => {
    const before = store.state();
    await send('jifang/v1/site-b/cmd/event', { eventId: 'evt-2', action: 'resolve', by: 'op' });
    // A later command on its own prefix is answered; the foreign one never was.
    expect(await command('event', { eventId: 'evt-404', action: 'ack', by: 'op' })).toMatchObject({ ok: false });
    expect(
      center.messages.filter((m) => m.topic.startsWith('jifang/v1/site-a/cmd-result') && resultOf(m).topic.includes('site-b')),
    ).toEqual([]);
    expect(store.state()).toBe(before);
  });

  it('publishes a fresh snapshot on request, with the SHA-256 named in the reply; refuses an unknown camera', async () => {
    const reply = await command('snapshot', { camera: 'cam-1' });
    expect(reply).toMatchObject({ ok: true, detail: { camera: 'cam-1', topic: 'jifang/v1/site-a/cam-1/snapshot' } });
    const [jpeg] = await center.waitFor((m) => m.topic === 'jifang/v1/site-a/cam-1/snapshot');
    expect(createHash('sha256').update(jpeg.payload).digest('hex')).toBe(reply.detail?.sha256);
    expect(await command('snapshot', { camera: 'cam-9' })).toMatchObject({
      ok: false,
      error: 'unknown camera "cam-9": this box has "cam-1"',
    });
  });

  it('receives a command sent while it was offline once it reconnects (persistent session)', async () => {
    await box.stop();
    await send('jifang/v1/site-a/cmd/event', { eventId: 'evt-2', action: 'ack', by: 'night-shift', requestId: 'while-offline' });
    box = await startBox(true);
    const [reply] = await center.waitFor((m) => m.topic === 'jifang/v1/site-a/cmd-result' && resultOf(m).requestId === 'while-offline');
    expect(resultOf(reply)).toMatchObject({ ok: true });
    expect(store.events.get('evt-2')).toEqual({ action: 'ack' });
  });

  it('acknowledges a command only once it is answered: a box stopped while handling gets it again and answers it', async () => {
    let release = () => {};
    store.held.promise = new Promise<void>((r) => {
      release = r;
    });
    const reloads = () =>
      center.messages.filter((m) => m.topic === 'jifang/v1/site-a/cmd-result' && resultOf(m).requestId === 'unfinished');
    await send('jifang/v1/site-a/cmd/reload', { requestId: 'unfinished' });
    // The reload has started (the box has the command) but not finished: a round trip of another command shows it.
    expect((await command('snapshot', { camera: 'cam-1' })).ok).toBe(true);
    expect(reloads()).toEqual([]);
    await box.stop();
    release();
    store.held.promise = Promise.resolve();

    box = await startBox(true);
    const [reply] = await center.waitFor((m) => m.topic === 'jifang/v1/site-a/cmd-result' && resultOf(m).requestId === 'unfinished');
    expect(resultOf(reply)).toMatchObject({ command: 'reload', ok: true });
  });

  it('refuses a dispatch held by the broker past the maximum age as expired, and applies one sent just now', async () => {
    await box.stop();
    const weekAgo = new Date(Date.now() - 7 * 24 * 3600_000).toISOString();
    await send('jifang/v1/site-a/cmd/event', {
      eventId: 'evt-2',
      action: 'dispatch',
      by: 'day-shift',
      unit: 'p-1',
      requestId: 'stale',
      issuedAt: weekAgo,
    });
    const now = new Date().toISOString();
    await send('jifang/v1/site-a/cmd/event', { eventId: 'evt-1', action: 'resolve', by: 'day-shift', requestId: 'fresh', issuedAt: now });
    const before = store.events.get('evt-2');
    box = await startBox(true);

    const [stale] = await center.waitFor((m) => m.topic === 'jifang/v1/site-a/cmd-result' && resultOf(m).requestId === 'stale');
    expect(resultOf(stale)).toMatchObject({
      ok: false,
      error: `expired: issued ${weekAgo}, 7 days ago, older than 60 min (mqtt.commandMaxAgeMinutes): not applied`,
    });
    const [fresh] = await center.waitFor((m) => m.topic === 'jifang/v1/site-a/cmd-result' && resultOf(m).requestId === 'fresh');
    expect(resultOf(fresh)).toMatchObject({ ok: true });
    expect(store.events.get('evt-2')).toEqual(before);
    expect(store.events.get('evt-1')).toEqual({ action: 'resolve' });
  });

  it("refuses a box's messages under another box's prefix, and the outbox reports them as rejected instead of losing them silently", async () => {
    // Authenticated as site-a but configured as site-b: a misconfiguration the ACL must contain.
    const impostor = createPublisher(
      boxConfig('site-a'),
      { site: 'site-b', boxId: 'box-x', agentVersion: '0.1.0', dataDir: mkdtempSync(join(tmpdir(), 'jifang-cmd-')) },
      silentLogger,
    );
    const drops: OutboxDrop[] = [];
    impostor.on('dropped', (d) => drops.push(d));
    try {
      await impostor.start();
      await impostor.whenConnected(10_000);
      await impostor.publishEvent(await makeAlert({ site: 'site-b', camera: 'cam-1', id: 'evt-forged' }));
      await expect.poll(() => drops.map((d) => [d.reason, d.message.eventId])).toEqual([['rejected', 'evt-forged']]);
      expect(drops[0].detail).toMatch(/Not authorized/i);
      expect(impostor.stats().outbox).toMatchObject({ messages: 0, dropped: { rejected: 1 } });
      const fromImpostor = center.messages.filter(
        (m) => m.topic.startsWith('jifang/v1/site-b/') && !m.topic.startsWith('jifang/v1/site-b/cmd/'),
      );
      expect(fromImpostor.map((m) => m.topic)).toEqual([]);
    } finally {
      await impostor.stop(1000);
    }
  });
});
