import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFeed, type Feed } from '../../../agent/src/center/feed.ts';
import { presentBox } from '../../../agent/src/center/present.ts';
import type { CenterStore } from '../../../agent/src/center/store/types.ts';
import type { Status } from '../../../agent/src/contract/health.ts';
import { silentLogger } from '../../../agent/src/core/log.ts';
import type { HttpError } from '../../../agent/src/web/http-error.ts';
import { makeAlert } from '../../helpers/box-simulator.ts';
import { openTempArchive } from '../../helpers/center-archive.ts';

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);

/* The console's live feed over real HTTP from a real SQLite archive: what an open page receives. */

let store: CenterStore;
let remove: () => Promise<void>;
let feed: Feed;
let server: Server;
let brokerUp: boolean;
let archiveProblem: string | null;
let stream: IncomingMessage | undefined;
beforeEach(async () => {
  ({ store, remove } = await openTempArchive());
  brokerUp = true;
  archiveProblem = null;
  feed = createFeed(store, { event: (e) => e, box: (b) => presentBox(b) }, silentLogger, {
    watchMs: 20,
    brokerConnected: () => brokerUp,
    archiveProblem: () => archiveProblem,
    limits: { maxConnections: 3, maxPerUser: 2, maxBufferBytes: 256 * 1024, slowMs: 200 },
  });
  // As the console's router does: the signed-in user, and a refusal answered with its status and message.
  server = createServer((req, res) => {
    try {
      feed.attach(res, String(req.headers['x-user'] ?? 'li'));
    } catch (err) {
      const e = err as HttpError;
      res.writeHead(e.status, e.headers ?? {}).end(e.message);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});
afterEach(async () => {
  stream?.destroy();
  feed.close();
  await new Promise((r) => server.close(r));
  await remove();
});

type Frame = { type: string; data: Record<string, unknown> };

/** Opens the stream as a page does; `next` waits for the first frame after those already taken that matches. */
async function open(user = 'li'): Promise<{ next: (match: (f: Frame) => boolean) => Promise<Frame>; frames: Frame[] }> {
  const frames: Frame[] = [];
  let buffer = '';
  let wake = () => {};
  stream = await request(user);
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const lines = buffer.slice(0, end).split('\n');
      buffer = buffer.slice(end + 2);
      const type = lines.find((l) => l.startsWith('event: '))?.slice(7);
      const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
      if (type && data) frames.push({ type, data: JSON.parse(data) as Record<string, unknown> });
    }
    wake();
  });
  let taken = 0;
  const next = async (match: (f: Frame) => boolean): Promise<Frame> => {
    for (;;) {
      while (taken < frames.length) {
        const f = frames[taken++];
        if (match(f)) return f;
      }
      await new Promise<void>((r) => (wake = r));
    }
  };
  return { next, frames };
}

const request = (user: string) =>
  new Promise<IncomingMessage>((r) =>
    get(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { headers: { 'x-user': user } }, r),
  );

async function refusal(user: string): Promise<{ status: number | undefined; retryAfter: unknown; body: string }> {
  const res = await request(user);
  let body = '';
  for await (const chunk of res) body += chunk;
  return { status: res.statusCode, retryAfter: res.headers['retry-after'], body };
}

const status = (online: boolean): Status => ({
  online,
  agentVersion: '1',
  boxId: 'b',
  at: new Date().toISOString(),
  cameras: [{ id: 'cam-1', state: 'streaming' }],
});

describe('center live feed', () => {
  it('sends a box going offline when its Last Will arrives, its cameras offline with it', async () => {
    const page = await open();
    await store.saveStatus('box-a', status(true), Date.now());
    feed.stored({ events: [], sites: ['box-a'] });
    const online = await page.next((f) => f.type === 'box');
    expect(online.data).toMatchObject({ site: 'box-a', online: true, cameras: [{ camera: 'cam-1', state: 'streaming' }] });

    await store.saveStatus('box-a', status(false), Date.now() + 1);
    feed.stored({ events: [], sites: ['box-a'] });
    const offline = await page.next((f) => f.type === 'box');
    expect(offline.data).toMatchObject({ site: 'box-a', online: false, cameras: [{ camera: 'cam-1', state: 'offline' }] });
  });

  it('tells the page whether the center hears the broker: on opening, and when it loses or regains it', async () => {
    const page = await open();
    expect((await page.next((f) => f.type === 'broker')).data).toEqual({ connected: true });
    brokerUp = false;
    expect((await page.next((f) => f.type === 'broker')).data).toEqual({ connected: false });
    brokerUp = true;
    expect((await page.next((f) => f.type === 'broker')).data).toEqual({ connected: true });
  });

  it('tells the page whether the archive takes writes: on opening, when it stops, and when it takes them again', async () => {
    const page = await open();
    expect((await page.next((f) => f.type === 'archive')).data).toEqual({ degraded: null });
    archiveProblem = 'the archive has refused writes since 2026-12-07T12:00:00.000Z (connection refused)';
    expect((await page.next((f) => f.type === 'archive')).data).toEqual({ degraded: archiveProblem });
    archiveProblem = null;
    expect((await page.next((f) => f.type === 'archive')).data).toEqual({ degraded: null });
  });

  it('sends an event stored here at once from its key, and the same revision only once', async () => {
    const page = await open();
    const save = (seq: number, state: 'started' | 'ended') =>
      store.saveEvent(
        {
          alert: makeAlert({ site: 'box-a', camera: 'cam-1', id: 'ev-1', seq, state, jpeg: JPEG }),
          categoryCode: null,
          categoryName: null,
          json: '{}',
          receivedAt: Date.now(),
          receivedBy: 'center-a',
        },
        [],
      );
    await save(0, 'started');
    feed.stored({ events: [{ site: 'box-a', id: 'ev-1' }], sites: [] });
    feed.stored({ events: [{ site: 'box-a', id: 'ev-1' }], sites: ['box-a'] });
    expect((await page.next((f) => f.type === 'event')).data).toMatchObject({ site: 'box-a', id: 'ev-1', state: 'started', rev: 1 });
    expect((await page.next((f) => f.type === 'event' || f.type === 'box')).type).toBe('box');
    await save(1, 'ended');
    feed.stored({ events: [{ site: 'box-a', id: 'ev-1' }], sites: [] });
    expect((await page.next((f) => f.type === 'event')).data).toMatchObject({ id: 'ev-1', state: 'ended', rev: 2 });
  });

  it("sends an alert at once while the boxes' rows are still being read (a city's boxes read slowly)", async () => {
    const page = await open();
    let boxesRead = () => {};
    const slowBoxes = new Promise<void>((r) => (boxesRead = r));
    const changed = store.changed;
    store.changed = async (c) => (c.sites.length ? slowBoxes.then(() => changed(c)) : changed(c));
    await store.saveStatus('box-a', status(true), Date.now());
    await store.saveEvent(
      {
        alert: makeAlert({ site: 'box-a', camera: 'cam-1', id: 'ev-9', seq: 0, state: 'started', jpeg: JPEG }),
        categoryCode: null,
        categoryName: null,
        json: '{}',
        receivedAt: Date.now(),
        receivedBy: 'center-a',
      },
      [],
    );
    feed.stored({ events: [{ site: 'box-a', id: 'ev-9' }], sites: ['box-a'] });
    expect((await page.next((f) => f.type === 'event' || f.type === 'box')).data).toMatchObject({ id: 'ev-9', state: 'started' });
    boxesRead();
    expect((await page.next((f) => f.type === 'box')).data).toMatchObject({ site: 'box-a', online: true });
  });

  it('caps the streams per user and in all, saying which; a closed page frees its place', async () => {
    const pages = [await request('li'), await request('li'), await request('wang')];
    expect(pages.map((p) => p.statusCode)).toEqual([200, 200, 200]);
    expect(await refusal('li')).toEqual({
      status: 429,
      retryAfter: '30',
      body: 'user li already has 2 live feed streams open (at most 2): close a page first',
    });
    expect(await refusal('zhao')).toEqual({
      status: 503,
      retryAfter: '30',
      body: 'the live feed is full (3 open streams): try again later',
    });

    pages[0].destroy();
    await expect.poll(() => feed.clients()).toBe(2);
    const again = await request('li');
    expect(again.statusCode).toBe(200);
    for (const p of [...pages, again]) p.destroy();
  });

  it('drops a page that does not read once what waits for it stays past the bound; the others receive everything', async () => {
    const page = await open('li');
    // A burst past the bound in one go (every box at once) does not drop a page that reads on.
    const burst = 'b'.repeat(64 * 1024);
    for (let i = 0; i < 16; i++) feed.broadcast('burst', { i, burst });
    await page.next((f) => f.type === 'burst' && f.data.i === 15);
    expect(feed.clients()).toBe(1);

    const port = (server.address() as AddressInfo).port;
    const stalled = connect(port, '127.0.0.1');
    stalled.write('GET / HTTP/1.1\r\nHost: x\r\nX-User: wang\r\n\r\n');
    stalled.pause();
    await expect.poll(() => feed.clients()).toBe(2);

    // Big frames, spaced so a page that reads keeps up; the kernel's socket buffers take several megabytes first.
    const blob = 'x'.repeat(64 * 1024);
    let sent = 0;
    while (feed.clients() === 2 && sent < 1500) {
      feed.broadcast('big', { n: sent++, blob });
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(feed.clients()).toBe(1);
    feed.broadcast('after', { sent });
    expect((await page.next((f) => f.type === 'after')).data).toEqual({ sent });
    expect(page.frames.filter((f) => f.type === 'big').map((f) => f.data.n)).toEqual([...Array(sent).keys()]);
    stalled.destroy();
  });
});
