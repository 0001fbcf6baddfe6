import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCenterConfig } from '../../agent/src/center/config.ts';
import type { Escalation, Order, Proposal, Unit } from '../../agent/src/center/patrol/schema.ts';
import { type Center, startCenter } from '../../agent/src/center/service.ts';
import type { Alert } from '../../agent/src/contract/alert.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { setPassword } from '../../agent/src/web/passwords.ts';
import { labelledJpeg, makeAlert, streetJpeg } from '../helpers/box-simulator.ts';
import { signIn } from '../helpers/center-session.ts';
import { readLiveFeed } from '../helpers/live-feed.ts';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.ts';
import { sharedDir } from '../helpers/paths.ts';
import { freePort } from '../helpers/ports.ts';
import { type Postgres, startPostgres } from '../helpers/postgres.ts';

/** The spot of the demo street: team-1's area holds it; team-2 patrols a block east of it. */
const SPOT = { lon: 121.4738, lat: 31.2305 };
const ring = (lon: number, lat: number, d: number) => [
  [lon - d, lat - d],
  [lon + d, lat - d],
  [lon + d, lat + d],
  [lon - d, lat + d],
];
const PASS = 'patrol-test-pass-1';
const CATEGORY_NAMES = { street_vending: '占道经营', umbrella: '违规撑伞', shop_display: '店外经营' } as const;
const USERS = {
  olga: 'operator',
  dmitri: 'dispatcher',
  sam: 'supervisor',
  ada: 'admin',
  pat: 'patrol',
  paul: 'patrol',
  pia: 'patrol',
} as const;

type Session = { cookie: string; csrf: string };
type Reply<T = Record<string, unknown>> = { status: number; body: T };

/**
 * Patrol units and work orders (issue 24) with the real `jifang center`, mosquitto and SQLite or PostgreSQL: a box
 * (simulated on the real MQTT contract) publishes alerts, people act through the HTTP API with real sessions.
 */
describe.each(['sqlite', 'postgres'] as const)('patrol work orders on %s', (kind) => {
  let dir: string;
  let broker: Mosquitto;
  let pg: Postgres | undefined;
  let center: Center;
  let box: MqttClient;
  let receiver: Server;
  const warnings: { method: string; url: string; body: string }[] = [];
  const sessions = new Map<string, Session>();
  let seq = 0;
  /** The order the whole flow closed: the next alert at its spot repeats it. */
  let flowOrder = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jifang-center-patrol-'));
    const users = join(dir, 'users');
    for (const [u, role] of Object.entries(USERS)) await setPassword(users, u, role, PASS);
    broker = await startMosquitto();
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => {
        warnings.push({ method: req.method ?? '', url: req.url ?? '', body });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const speaker = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/speak?where={{address}}`;
    let storage: Record<string, unknown> = { kind: 'sqlite', path: join(dir, 'center.db') };
    if (kind === 'postgres') {
      pg = await startPostgres();
      storage = { kind: 'postgres', url: pg.createDatabase('center_patrol') };
    }
    const cfg = parseCenterConfig(
      {
        mqtt: { url: broker.url, clientId: `patrol-${kind}` },
        storage,
        http: { port: await freePort() },
        users,
        // An SMS gateway: the warnings reach the shop contacts through it.
        forwarders: [{ id: 'sms', name: '短信网关', url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/sms` }],
        patrol: {
          units: [
            { id: 'team-1', name: '城管一中队', members: ['pat'], area: [ring(SPOT.lon, SPOT.lat, 0.002)] },
            { id: 'team-2', name: '城管二中队', members: ['paul'], area: [ring(SPOT.lon + 0.01, SPOT.lat, 0.002)] },
            { id: 'team-3', name: '城管三中队', members: ['pia'], area: [ring(SPOT.lon + 0.03, SPOT.lat, 0.002)] },
          ],
          // banner: short limits, so an undispatched order is overdue within a second.
          limits: { banner: { dispatch: 0.01, arrive: 0.01, handle: 0.01 } },
          autoOpen: [{ types: ['umbrella', 'shop_display'] }],
          warnings: [
            {
              types: ['umbrella'],
              http: { url: speaker, method: 'POST', body: '{{time}} {{address}}：{{categoryName}}，请立即整改' },
              waitSeconds: 600,
            },
            { types: ['shop_display'], forwarder: 'sms', text: '{{address}}：{{categoryName}}，请收回店外物品。', waitSeconds: 600 },
          ],
          shopContacts: [
            { id: 'noodles', name: '老王面馆', phone: '13800138000', cameras: ['demo/cam-9'] },
            { id: 'bakery', name: '街角面包房', phone: '13900139000', cameras: ['demo/cam-1'] },
          ],
          checkSeconds: 0.2,
        },
      },
      'center-patrol.yaml',
      dir,
    );
    center = await startCenter(cfg, silentLogger);
    box = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: `jifang-patrol-box-${kind}` });
    for (const u of Object.keys(USERS)) sessions.set(u, await login(u));
  }, 180_000);

  afterAll(async () => {
    await box?.endAsync();
    await center?.close();
    await broker?.stop();
    await new Promise((r) => receiver?.close(r));
    pg?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const login = (user: string): Promise<Session> => signIn(center.url, user, PASS);

  async function api<T = Record<string, unknown>>(user: string | null, method: string, path: string, body?: unknown): Promise<Reply<T>> {
    const s = user ? sessions.get(user) : undefined;
    const headers: Record<string, string> = s ? { Cookie: s.cookie, 'X-CSRF-Token': s.csrf } : {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${center.url}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, body: (text.startsWith('{') ? JSON.parse(text) : text) as T };
  }
  const move = (user: string, id: string, body: Record<string, unknown>) =>
    api<Order>(user, 'POST', `/api/orders/${id}/transition`, { clientId: randomUUID(), ...body });
  const order = async (id: string) => (await api<Order>('dmitri', 'GET', `/api/orders/${id}`)).body;

  async function until<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = await get();
      if (ok(v)) return v;
      if (Date.now() > end) throw new Error(`waited ${ms} ms for ${what}; last: ${JSON.stringify(v).slice(0, 600)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The box publishes a message of an event with its snapshot, as the agent does. */
  async function publish(
    id: string,
    state: Alert['state'],
    category: keyof typeof CATEGORY_NAMES,
    at: { camera: string; lon: number; lat: number } = { camera: 'cam-1', ...SPOT },
  ): Promise<Alert> {
    const jpeg = labelledJpeg(await streetJpeg(), `${id}:${seq}`);
    const type = category === 'street_vending' ? 'street_vending' : 'static_object';
    const alert: Alert = {
      ...makeAlert({ site: 'demo', id, seq: seq++, state, jpeg, type, ...at }),
      category: { id: category, name: CATEGORY_NAMES[category], nameEn: category, catalogueVersion: 'test' },
    };
    await box.publishAsync(alert.evidence.snapshot!.topic, jpeg, { qos: 1 });
    await box.publishAsync(`jifang/v1/demo/${at.camera}/events`, JSON.stringify(alert), { qos: 1 });
    await until(
      `event ${id} ${state} archived`,
      () => api<{ messages?: { state: string }[] }>('dmitri', 'GET', `/api/events/${id}?site=demo`),
      (r) => r.status === 200 && (r.body.messages ?? []).some((m) => m.state === state),
    );
    return alert;
  }

  /** An officer's live stream, collecting its events. */
  async function stream(user: string) {
    const ac = new AbortController();
    const res = await fetch(`${center.url}/api/patrol/feed`, { headers: { Cookie: sessions.get(user)!.cookie }, signal: ac.signal });
    expect(res.status).toBe(200);
    const events: { type: string; data: Record<string, unknown> }[] = [];
    const reader = res.body!.getReader();
    let buf = '';
    void (async () => {
      for (;;) {
        const r = await reader.read().catch(() => ({ done: true, value: undefined }));
        if (r.done) return;
        buf += Buffer.from(r.value).toString('utf8');
        let i = buf.indexOf('\n\n');
        while (i >= 0) {
          const chunk = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const type = /^event: (.+)$/m.exec(chunk)?.[1];
          const data = /^data: (.+)$/m.exec(chunk)?.[1];
          if (type && data) events.push({ type, data: JSON.parse(data) });
          i = buf.indexOf('\n\n');
        }
      }
    })();
    return { events, close: () => ac.abort() };
  }

  it('runs alert → order → proposals → dispatch → accept → arrive → handle with a photo → box cleared → closed, every step stored', async () => {
    await api('paul', 'POST', '/api/patrol/duty', { onDuty: true });
    await api('paul', 'POST', '/api/patrol/position', { lon: SPOT.lon + 0.002, lat: SPOT.lat, accuracyM: 5, at: new Date().toISOString() });
    await api('pia', 'POST', '/api/patrol/duty', { onDuty: true });
    await api('pia', 'POST', '/api/patrol/position', { lon: SPOT.lon + 0.02, lat: SPOT.lat, at: new Date().toISOString() });
    const patFeed = await stream('pat');
    const paulFeed = await stream('paul');
    const started = await publish('ev-flow', 'started', 'street_vending');

    const opened = await api<{ order: Order; opened: boolean }>('olga', 'POST', '/api/orders', {
      events: [{ site: 'demo', id: 'ev-flow' }],
    });
    expect(opened.status).toBe(201);
    const id = opened.body.order.id;
    flowOrder = id;
    expect(opened.body.order).toMatchObject({
      state: 'filed',
      category: 'street_vending',
      openedBy: 'olga',
      events: [{ site: 'demo', id: 'ev-flow' }],
    });

    const proposals = (await api<{ proposals: Proposal[] }>('dmitri', 'GET', `/api/orders/${id}/proposals`)).body.proposals;
    expect(proposals.map((p) => [p.unitId, p.reason])).toEqual([
      ['team-1', 'area'],
      ['team-2', 'distance'],
      ['team-3', 'distance'],
    ]);
    expect(proposals[1].distanceM).toBeLessThan(proposals[2].distanceM!);

    expect((await move('dmitri', id, { action: 'dispatch', unitId: 'team-1' })).status).toBe(200);
    // The officer's phone hears of it; the other unit's does not.
    await until(
      'the task on pat’s stream',
      async () => patFeed.events,
      (ev) => ev.some((e) => e.type === 'task' && e.data.id === id),
    );
    // The existing dispatch action was taken on the alert too (the box then watches the spot).
    await until(
      'the dispatch on the alert',
      () => api<{ actions: { action: string; unit: string; by: string }[] }>('dmitri', 'GET', '/api/events/ev-flow?site=demo'),
      (r) => r.body.actions.some((a) => a.action === 'dispatch' && a.unit === 'team-1' && a.by === 'dmitri'),
    );

    // The task's evidence picture, for the officer of the unit only.
    const evidence = (user: string) =>
      fetch(`${center.url}/api/orders/${id}/evidence`, { headers: { Cookie: sessions.get(user)!.cookie } });
    const pic = await evidence('pat');
    expect(pic.status).toBe(200);
    expect(
      createHash('sha256')
        .update(Buffer.from(await pic.arrayBuffer()))
        .digest('hex'),
    ).toBe(started.evidence.snapshot!.sha256);
    expect((await evidence('paul')).status).toBe(403);

    const accept = { action: 'accept', clientId: randomUUID() };
    expect((await api('pat', 'POST', `/api/orders/${id}/transition`, accept)).status).toBe(200);
    // The phone retries the same action after a dead zone: it counts once.
    expect((await api('pat', 'POST', `/api/orders/${id}/transition`, accept)).status).toBe(200);
    const where = { lon: SPOT.lon + 0.0001, lat: SPOT.lat, accuracyM: 6 };
    expect((await move('pat', id, { action: 'arrive', where })).status).toBe(200);

    const jpeg = readFileSync(join(sharedDir, 'samples', 'street-sf.jpg'));
    const photoClient = randomUUID();
    const upload = () =>
      fetch(`${center.url}/api/orders/${id}/photos`, {
        method: 'POST',
        headers: {
          Cookie: sessions.get('pat')!.cookie,
          'X-CSRF-Token': sessions.get('pat')!.csrf,
          'Content-Type': 'image/jpeg',
          'X-Client-Id': photoClient,
        },
        body: jpeg,
      });
    const up = await upload();
    expect(up.status).toBe(200);
    const { photoId } = (await up.json()) as { photoId: string };
    expect((await upload()).status).toBe(200);
    const back = await fetch(`${center.url}/api/orders/${id}/photos/${photoId}`, { headers: { Cookie: sessions.get('sam')!.cookie } });
    expect(Buffer.from(await back.arrayBuffer()).equals(jpeg)).toBe(true);
    expect((await move('pat', id, { action: 'handle', outcome: 'corrected', note: '摊主已撤离' })).status).toBe(200);

    await publish('ev-flow', 'cleared', 'street_vending');
    const closed = await until(
      'the order closed by the box',
      () => order(id),
      (o) => o.state === 'closed',
    );
    expect(closed).toMatchObject({ closedAs: 'handled', outcome: 'corrected', unit: 'team-1', photos: [photoId] });
    expect(closed.transitions!.map((t) => [t.action, t.from, t.to, t.by])).toEqual([
      ['open', null, 'filed', 'olga'],
      ['dispatch', 'filed', 'dispatched', 'dmitri'],
      ['accept', 'dispatched', 'accepted', 'pat'],
      ['arrive', 'accepted', 'on_scene', 'pat'],
      ['handle', 'on_scene', 'handled', 'pat'],
      ['verify', 'handled', 'closed', 'box:demo'],
    ]);
    expect(closed.transitions![3].where).toEqual(where);
    expect(closed.transitions!.every((t) => !Number.isNaN(Date.parse(t.at)))).toBe(true);
    expect(paulFeed.events.some((e) => e.type === 'task')).toBe(false);
    patFeed.close();
    paulFeed.close();
  }, 120_000);

  it('opens a repeat of an order closed moments ago at the same spot, merges a second alert of that spot, and reopens it when the camera still sees it after handled', async () => {
    await publish('ev-again', 'started', 'street_vending');
    const repeat = await until(
      'the repeat order',
      async () => (await api<{ orders: Order[] }>('dmitri', 'GET', '/api/orders?open=1')).body.orders,
      (list) => list.some((o) => o.events.some((e) => e.id === 'ev-again')),
    );
    const auto = repeat.find((o) => o.events.some((e) => e.id === 'ev-again'))!;
    expect(auto).toMatchObject({ openedBy: 'system', repeatOf: flowOrder, state: 'filed' });
    await publish('ev-second-camera', 'started', 'street_vending');
    const merged = await api<{ order: Order; opened: boolean }>('olga', 'POST', '/api/orders', {
      events: [
        { site: 'demo', id: 'ev-again' },
        { site: 'demo', id: 'ev-second-camera' },
      ],
    });
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({ opened: false, order: { id: auto.id } });
    expect(merged.body.order.events.map((e) => e.id).sort()).toEqual(['ev-again', 'ev-second-camera']);
    const id = auto.id;
    await move('dmitri', id, { action: 'dispatch', unitId: 'team-1' });
    await move('pat', id, { action: 'arrive' });
    expect((await move('pat', id, { action: 'handle', outcome: 'warned' })).body.state).toBe('handled');
    await publish('ev-again', 'updated', 'street_vending');
    const reopened = await until(
      'the order reopened',
      () => order(id),
      (o) => o.state === 'dispatched',
    );
    expect(reopened.unit).toBe('team-1');
    expect(reopened.transitions!.at(-1)).toMatchObject({ action: 'reopen', from: 'handled', to: 'dispatched', by: 'box:demo' });
    // Back on the spot, the camera sees it clear before the officer reports: his report is verified at once.
    await move('pat', id, { action: 'arrive' });
    await publish('ev-again', 'cleared', 'street_vending');
    const handled = await move('pat', id, { action: 'handle', outcome: 'corrected' });
    expect(handled.body).toMatchObject({ state: 'closed', closedAs: 'handled' });
    expect(handled.body.transitions!.at(-1)).toMatchObject({ action: 'verify', by: 'box:demo' });
  }, 120_000);

  it('核查 without a camera: the officer’s photo, then a second person, the supervisor, confirms', async () => {
    const manual = { lon: SPOT.lon, lat: SPOT.lat, address: '热线: 南京东路', category: 'exposed_garbage', note: '12345 热线' };
    const id = (await api<{ order: Order }>('olga', 'POST', '/api/orders', { manual })).body.order.id;
    await move('dmitri', id, { action: 'dispatch', unitId: 'team-1' });
    await move('pat', id, { action: 'arrive' });
    await move('pat', id, { action: 'handle', outcome: 'corrected' });
    const noPhoto = await move('sam', id, { action: 'verify' });
    expect(noPhoto.status).toBe(409);
    expect((await order(id)).state).toBe('handled');
    const s = sessions.get('pat')!;
    const up = await fetch(`${center.url}/api/orders/${id}/photos`, {
      method: 'POST',
      headers: { Cookie: s.cookie, 'X-CSRF-Token': s.csrf, 'Content-Type': 'image/jpeg' },
      body: readFileSync(join(sharedDir, 'samples', 'bus.jpg')),
    });
    expect(up.status).toBe(200);
    expect((await move('pat', id, { action: 'verify' })).status).toBe(403);
    const done = await move('sam', id, { action: 'verify' });
    expect(done.body).toMatchObject({ state: 'closed', closedAs: 'handled' });
  }, 60_000);

  it('escalates an overdue order to the supervisors once, live and counted', async () => {
    const desk = await readLiveFeed(center.url, sessions.get('sam')!.cookie);
    const manual = { lon: SPOT.lon, lat: SPOT.lat, category: 'banner' };
    const id = (await api<{ order: Order }>('olga', 'POST', '/api/orders', { manual })).body.order.id;
    const late = await until(
      'the order escalated',
      () => order(id),
      (o) => o.escalated.includes('dispatch'),
    );
    expect(late.overdue).toContain('dispatch');
    const [e] = await until(
      'the escalation on the desktop feed',
      async () => desk.of<Escalation>('escalation').filter((x) => x.orderId === id),
      (list) => list.length > 0,
    );
    expect(e).toMatchObject({ orderId: id, stage: 'dispatch', category: 'banner' });
    // Several checks later it is still one escalation of that stage.
    await new Promise((r) => setTimeout(r, 1000));
    expect((await order(id)).escalated).toEqual(['dispatch']);
    const stats = await api<{ escalations: number; overdueOpen: number }>('sam', 'GET', '/api/patrol/stats');
    expect(stats.body.escalations).toBe(1);
    await desk.stop();
  }, 60_000);

  it('warns before dispatch through the speaker, and a violation cleared in the wait closes without anyone sent', async () => {
    await publish('ev-umbrella', 'started', 'umbrella');
    const opened = await until(
      'the automatic order in warning',
      async () => (await api<{ orders: Order[] }>('dmitri', 'GET', '/api/orders?state=warning')).body.orders,
      (list) => list.some((o) => o.events.some((e) => e.id === 'ev-umbrella')),
    );
    const id = opened.find((o) => o.events.some((e) => e.id === 'ev-umbrella'))!.id;
    const call = await until(
      'the speaker called',
      async () => warnings.filter((w) => w.url.startsWith('/speak')),
      (w) => w.length > 0,
    );
    expect(call[0].method).toBe('POST');
    expect(decodeURIComponent(call[0].url)).toBe('/speak?where=No. 1 Demo Street (demo)');
    expect(call[0].body).toMatch(/^\d\d:\d\d No\. 1 Demo Street \(demo\)：违规撑伞，请立即整改$/);
    await publish('ev-umbrella', 'cleared', 'umbrella');
    const closed = await until(
      'closed after the warning',
      () => order(id),
      (o) => o.state === 'closed',
    );
    expect(closed).toMatchObject({ closedAs: 'corrected_after_warning', warned: true, openedBy: 'system' });
    expect(closed.transitions!.map((t) => t.action)).toEqual(['open', 'warn', 'close']);
    const stats = await api<{ closedAs: Record<string, number> }>('sam', 'GET', '/api/patrol/stats');
    expect(stats.body.closedAs.corrected_after_warning).toBe(1);
  }, 60_000);

  it('sends the warning through the forwarder only to the shop contacts of the spot (by camera and by area), registered in the config and by an admin', async () => {
    const far = { lon: SPOT.lon + 0.05, lat: SPOT.lat };
    const tea = { name: '茶铺 李女士', phone: '+86 137 0013 7000', area: [ring(far.lon, far.lat, 0.001)] };
    expect((await api('dmitri', 'PUT', '/api/shop-contacts/tea', tea)).status).toBe(403);
    const bad = await api<{ error: string }>('ada', 'PUT', '/api/shop-contacts/tea', { name: '茶铺', phone: '13700137000' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('cameras');
    expect((await api('ada', 'PUT', '/api/shop-contacts/tea', tea)).status).toBe(201);
    const listed = await api<{ contacts: { id: string }[] }>('dmitri', 'GET', '/api/shop-contacts');
    expect(listed.body.contacts.map((c) => c.id)).toEqual(['bakery', 'noodles', 'tea']);

    await publish('ev-display', 'started', 'shop_display', { camera: 'cam-9', ...far });
    const sms = () =>
      warnings
        .filter((w) => w.url === '/sms')
        .map((w) => JSON.parse(w.body) as { kind?: string; text: string; to: { contact: string; phone: string } })
        .filter((m) => m.kind === 'patrol_warning');
    const sent = await until(
      'the two messages',
      async () => sms(),
      (m) => m.length >= 2,
    );
    expect(sent.map((m) => m.to.contact).sort()).toEqual(['noodles', 'tea']);
    expect(sent.find((m) => m.to.contact === 'tea')!.to.phone).toBe('+86 137 0013 7000');
    for (const m of sent) expect(m.text).toMatch(/：店外经营，请收回店外物品。$/);
    const [o] = (await api<{ orders: Order[] }>('dmitri', 'GET', '/api/orders?state=warning')).body.orders.filter((x) =>
      x.events.some((e) => e.id === 'ev-display'),
    );
    // The order waits in its warning for the box to see the shopfront cleared.
    expect(o).toMatchObject({ state: 'warning', warned: true });
    // The bakery is registered for another camera and is not disturbed.
    await new Promise((r) => setTimeout(r, 500));
    expect(sms()).toHaveLength(2);
    expect((await api('ada', 'DELETE', '/api/shop-contacts/tea')).status).toBe(200);
    expect((await api('ada', 'DELETE', '/api/shop-contacts/tea')).status).toBe(404);
  }, 60_000);

  it('a reassigned order reaches the new unit’s officer live and leaves the old unit’s list, the old phone told once more', async () => {
    const patFeed = await stream('pat');
    const paulFeed = await stream('paul');
    const manual = { lon: SPOT.lon, lat: SPOT.lat, category: 'disorderly_bikes' };
    const id = (await api<{ order: Order }>('olga', 'POST', '/api/orders', { manual })).body.order.id;
    await move('dmitri', id, { action: 'dispatch', unitId: 'team-1' });
    await until(
      'pat’s task',
      async () => patFeed.events,
      (ev) => ev.some((e) => e.type === 'task' && e.data.id === id),
    );
    await move('dmitri', id, { action: 'dispatch', unitId: 'team-2' });
    await until(
      'paul’s task',
      async () => paulFeed.events,
      (ev) => ev.some((e) => e.type === 'task' && e.data.id === id),
    );
    await until(
      'pat told it left',
      async () => patFeed.events,
      (ev) => ev.some((e) => e.type === 'task' && e.data.id === id && e.data.unit === 'team-2'),
    );
    expect((await api<{ orders: Order[] }>('pat', 'GET', '/api/orders')).body.orders.map((o) => o.id)).not.toContain(id);
    expect((await api<{ orders: Order[] }>('paul', 'GET', '/api/orders')).body.orders.map((o) => o.id)).toContain(id);
    patFeed.close();
    paulFeed.close();
  }, 60_000);

  it('keeps each officer to his unit’s orders and refuses the wrong role, no session and bad bodies, changing nothing', async () => {
    const mine = (await api<{ orders: Order[] }>('pat', 'GET', '/api/orders')).body.orders;
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((o) => o.unit === 'team-1')).toBe(true);
    expect((await api<{ orders: Order[] }>('pia', 'GET', '/api/orders')).body.orders).toEqual([]);
    expect((await api('pia', 'GET', `/api/orders/${mine[0].id}`)).status).toBe(403);
    expect((await api(null, 'GET', '/api/orders')).status).toBe(401);
    expect((await api(null, 'GET', '/api/units')).status).toBe(401);
    expect((await api('olga', 'PUT', '/api/units/team-9', { name: 'x' })).status).toBe(403);
    expect((await api('pat', 'POST', '/api/orders', { manual: { lon: 1, lat: 1, category: 'banner' } })).status).toBe(403);

    const manual = { lon: SPOT.lon, lat: SPOT.lat, category: 'piled_materials' };
    const id = (await api<{ order: Order }>('olga', 'POST', '/api/orders', { manual })).body.order.id;
    const before = await order(id);
    expect((await api('dmitri', 'POST', `/api/orders/${id}/transition`, { action: 'fly', clientId: randomUUID() })).status).toBe(400);
    expect((await api('dmitri', 'POST', `/api/orders/${id}/transition`, { action: 'dispatch', clientId: randomUUID() })).status).toBe(400);
    const conflict = await move('dmitri', id, { action: 'reopen' });
    expect(conflict).toEqual({ status: 409, body: { error: expect.any(String), state: 'filed', allowed: ['dispatch', 'close'] } });
    const photo = (type: string, body: Buffer) =>
      fetch(`${center.url}/api/orders/${id}/photos`, {
        method: 'POST',
        headers: { Cookie: sessions.get('dmitri')!.cookie, 'X-CSRF-Token': sessions.get('dmitri')!.csrf, 'Content-Type': type },
        body,
      });
    expect((await photo('text/plain', Buffer.from('hello'))).status).toBe(415);
    expect((await photo('image/jpeg', Buffer.from('not a picture'))).status).toBe(400);
    expect((await photo('image/jpeg', Buffer.alloc(5 * 1024 * 1024 + 1, 0xff))).status).toBe(413);
    expect(await order(id)).toEqual(before);

    const units = (await api<{ units: Unit[] }>('ada', 'GET', '/api/units')).body.units;
    expect((await api('ada', 'PUT', '/api/units/team-1', { name: '', area: [[[1, 2]]] })).status).toBe(400);
    expect((await api('ada', 'PUT', '/api/units/Bad Id', { name: 'x' })).status).toBe(400);
    expect((await api<{ units: Unit[] }>('ada', 'GET', '/api/units')).body.units).toEqual(units);
    expect((await api('ada', 'PUT', '/api/units/team-9', { name: '城管九中队', members: ['pat'] })).status).toBe(409);
    expect((await api('ada', 'PUT', '/api/units/team-9', { name: '城管九中队', kind: 'officer' })).status).toBe(201);
    expect((await api('ada', 'DELETE', '/api/units/team-9')).status).toBe(200);
  }, 60_000);
});
