import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../agent/src/core/log.ts';
import { type NewOutboxMessage, Outbox, type OutboxLimits } from '../../../agent/src/publish/outbox.ts';
import { resendKept } from '../../../agent/src/publish/resend.ts';

const roomy: OutboxLimits = { maxMessages: 1000, maxBytes: 10_000_000, maxAgeMs: 3_600_000, keepDeliveredMs: 0, keepDeliveredBytes: 0 };
const opened: Outbox[] = [];
const open = (dir: string, limits = roomy) => {
  const o = Outbox.open(dir, limits, silentLogger);
  opened.push(o);
  return o;
};
afterEach(() => {
  for (const o of opened.splice(0)) o.close();
});

const tmp = () => mkdtempSync(join(tmpdir(), 'jifang-outbox-'));
const event = (eventId: string, state = 'started', camera = 'cam-1', bytes = 100): NewOutboxMessage => ({
  kind: 'event',
  camera,
  eventId,
  state,
  topic: `jifang/v1/s/${camera}/events`,
  properties: { contentType: 'application/json', userProperties: { camera } },
  payload: Buffer.alloc(bytes, eventId),
});
const snapshot = (eventId: string, bytes = 1000, camera = 'cam-1'): NewOutboxMessage => ({
  kind: 'snapshot',
  camera,
  eventId,
  state: 'started',
  topic: `jifang/v1/s/${camera}/events/${eventId}/snapshot`,
  properties: { contentType: 'image/jpeg' },
  payload: Buffer.alloc(bytes, 7),
});
const ids = (o: Outbox) => o.pending(0, 1000).messages.map((m) => `${m.message.kind}:${m.message.eventId}`);

describe('Outbox', () => {
  it('returns queued messages in the order added, with their payloads and properties', () => {
    const o = open(tmp());
    o.add([event('a'), snapshot('a')], 0);
    o.add([event('b', 'started', 'cam-2')], 0);
    const { messages } = o.pending(0, 10);
    expect(messages.map((m) => [m.message.kind, m.message.eventId, m.message.camera])).toEqual([
      ['event', 'a', 'cam-1'],
      ['snapshot', 'a', 'cam-1'],
      ['event', 'b', 'cam-2'],
    ]);
    expect(messages[1].payload).toEqual(Buffer.alloc(1000, 7));
    expect(messages[0].message.properties).toEqual({ contentType: 'application/json', userProperties: { camera: 'cam-1' } });
    expect(o.pending(messages[0].message.id, 10).messages.map((m) => m.message.eventId)).toEqual(['a', 'b']);
    expect(o.stats()).toMatchObject({ messages: 3, bytes: 100 + 1000 + 100 });
  });

  it('keeps snapshots as files that disappear once the broker acknowledged them', () => {
    const dir = tmp();
    const o = open(dir);
    const { added } = o.add([event('a'), snapshot('a')], 0);
    expect(readdirSync(join(dir, 'snapshots'))).toHaveLength(1);
    expect(o.remove(added[1].id)).toBe(true);
    expect(readdirSync(join(dir, 'snapshots'))).toHaveLength(0);
    expect(o.remove(added[1].id)).toBe(false);
    expect(ids(o)).toEqual(['event:a']);
  });

  it('survives a restart: a reopened outbox replays what was not acknowledged, in order', () => {
    const dir = tmp();
    const first = open(dir);
    const { added } = first.add([event('a'), snapshot('a'), event('b'), event('c')], 0);
    first.remove(added[0].id);
    first.close();
    const again = open(dir);
    expect(ids(again)).toEqual(['snapshot:a', 'event:b', 'event:c']);
    expect(again.pending(0, 1).messages[0].payload).toEqual(Buffer.alloc(1000, 7));
    expect(again.stats()).toMatchObject({ messages: 3, bytes: 1200 });
  });

  it('deletes snapshot files no message references (a crash between writing the file and committing)', () => {
    const dir = tmp();
    open(dir).add([snapshot('kept')], 0);
    writeFileSync(join(dir, 'snapshots', 'orphan.jpg'), 'partial');
    open(dir);
    expect(readdirSync(join(dir, 'snapshots'))).toHaveLength(1);
    expect(existsSync(join(dir, 'snapshots', 'orphan.jpg'))).toBe(false);
  });

  describe('when full, drops by the documented policy and reports every drop', () => {
    it('oldest snapshots go first, then oldest `updated` alerts, then the oldest of anything', () => {
      const o = open(tmp(), { ...roomy, maxMessages: 4 });
      o.add([event('a', 'started'), snapshot('a'), event('a', 'updated'), event('b', 'started')], 0);
      const one = o.add([event('c', 'started')], 0);
      expect(one.dropped.map((d) => [d.reason, d.message.kind, d.message.eventId])).toEqual([['full', 'snapshot', 'a']]);
      const two = o.add([event('d', 'started')], 0);
      expect(two.dropped.map((d) => [d.reason, d.message.kind, d.message.state])).toEqual([['full', 'event', 'updated']]);
      const three = o.add([event('e', 'ended')], 0);
      expect(three.dropped.map((d) => [d.message.eventId, d.message.state])).toEqual([['a', 'started']]);
      expect(ids(o)).toEqual(['event:b', 'event:c', 'event:d', 'event:e']);
      expect(o.stats().dropped).toMatchObject({ full: 3 });
      expect(three.dropped[0].detail).toMatch(/4 messages/);
    });

    it('enforces the byte bound too', () => {
      const o = open(tmp(), { ...roomy, maxBytes: 2500 });
      o.add([event('a'), snapshot('a', 1200), event('b'), snapshot('b', 1200)], 0);
      expect(o.stats().bytes).toBeLessThanOrEqual(2500);
      expect(ids(o)).toEqual(['event:a', 'event:b', 'snapshot:b']);
    });

    it('never drops messages already handed to the MQTT client (in flight)', () => {
      const o = open(tmp(), { ...roomy, maxMessages: 3 });
      const { added } = o.add([snapshot('a'), snapshot('b'), event('c')], 0);
      const { dropped } = o.add([event('d')], added[1].id);
      expect(dropped.map((d) => d.message.eventId)).toEqual(['c']);
      expect(ids(o)).toEqual(['snapshot:a', 'snapshot:b', 'event:d']);
    });

    it('refuses a single message larger than the whole outbox, as `too_large`', () => {
      const o = open(tmp(), { ...roomy, maxBytes: 5000 });
      const { added, dropped } = o.add([event('a'), snapshot('a', 6000)], 0);
      expect(added.map((m) => m.kind)).toEqual(['event']);
      expect(dropped.map((d) => [d.reason, d.message.kind, d.message.id])).toEqual([['too_large', 'snapshot', null]]);
      expect(o.stats().dropped.too_large).toBe(1);
    });
  });

  it('drops messages older than the maximum age as `expired`, sparing those in flight', () => {
    const o = open(tmp(), { ...roomy, maxAgeMs: 60_000 });
    const t0 = 1_000_000;
    const { added } = o.add([event('old-1'), event('old-2')], 0, t0);
    o.add([event('new')], 0, t0 + 50_000);
    const dropped = o.expire(added[0].id, t0 + 61_000);
    expect(dropped.map((d) => [d.reason, d.message.eventId])).toEqual([['expired', 'old-2']]);
    expect(ids(o)).toEqual(['event:old-1', 'event:new']);
    expect(o.stats().dropped.expired).toBe(1);
  });

  it('reports a snapshot whose file vanished as `missing` instead of blocking the queue', () => {
    const dir = tmp();
    const o = open(dir);
    o.add([snapshot('a'), event('b')], 0);
    for (const f of readdirSync(join(dir, 'snapshots'))) rmSync(join(dir, 'snapshots', f));
    const { messages, dropped } = o.pending(0, 10);
    expect(messages.map((m) => m.message.eventId)).toEqual(['b']);
    expect(dropped.map((d) => [d.reason, d.message.eventId])).toEqual([['missing', 'a']]);
    expect(o.stats().messages).toBe(1);
  });

  it('removes a message the broker refused, as `rejected` with the reason', () => {
    const o = open(tmp());
    const { added } = o.add([event('a'), event('b')], 0);
    const drop = o.reject(added[0].id, 'broker refused it: Not authorized');
    expect(drop).toMatchObject({ reason: 'rejected', detail: 'broker refused it: Not authorized', message: { eventId: 'a' } });
    expect(ids(o)).toEqual(['event:b']);
    expect(o.reject(added[0].id, 'again')).toBeNull();
  });
});

describe('Outbox: delivered alerts kept for a re-send', () => {
  const keeping: OutboxLimits = { ...roomy, keepDeliveredMs: 3_600_000, keepDeliveredBytes: 1_000_000 };
  const window = { keepDeliveredHours: 1, keepDeliveredMegabytes: 1 };
  /** Now: a re-send trims the window at the time it is asked. */
  const T = Date.now();
  /** Adds numbered alerts (each with its snapshot when asked) as the publisher does, and returns their rows. */
  const publish = (o: Outbox, names: string[], at: number, withSnapshot = false) =>
    names.flatMap((name) => {
      const publication = o.nextPublication();
      const items = [{ ...event(name), publication }, ...(withSnapshot ? [{ ...snapshot(name), publication }] : [])];
      return o.add(items, 0, at).added;
    });

  it('opens an outbox from before numbering: its queued alert is still sent, unnumbered, and the next one is 1', () => {
    const dir = tmp();
    const old = new Database(join(dir, 'outbox.db'));
    old.exec(`CREATE TABLE outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, camera TEXT NOT NULL, event_id TEXT NOT NULL, state TEXT,
      topic TEXT NOT NULL, properties TEXT NOT NULL, payload BLOB, file TEXT, bytes INTEGER NOT NULL, created_at INTEGER NOT NULL)`);
    old
      .prepare(
        'INSERT INTO outbox (kind, camera, event_id, state, topic, properties, payload, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run('event', 'cam-1', 'queued-before', 'started', 'jifang/v1/s/cam-1/events', '{}', Buffer.from('{}'), 2, T);
    old.close();
    const o = open(dir, keeping);
    const [queued] = o.pending(0, 10).messages;
    expect(queued.message).toMatchObject({ eventId: 'queued-before', publication: null });
    o.remove(queued.message.id, T);
    expect(o.stats().messages).toBe(0);
    expect(publish(o, ['a'], T)[0].publication).toBe(1);
  });

  it('numbers alerts across a restart, even when every row is gone', () => {
    const dir = tmp();
    const first = open(dir);
    const rows = publish(first, ['a', 'b'], 1000);
    expect(rows.map((r) => r.publication)).toEqual([1, 2]);
    for (const r of rows) first.remove(r.id);
    first.close();
    opened.splice(opened.indexOf(first), 1);
    expect(open(dir).nextPublication()).toBe(3);
  });

  it('keeps a delivered alert and its snapshot, re-sends them by number, and says what is still queued', () => {
    const dir = tmp();
    const o = open(dir, keeping);
    const rows = publish(o, ['a', 'b', 'c'], T, true);
    for (const r of rows.slice(0, 4)) o.remove(r.id, T);
    expect(o.stats()).toMatchObject({ messages: 2, keptBytes: 2 * (100 + 1000), latestPublication: 3 });
    expect(readdirSync(join(dir, 'snapshots'))).toHaveLength(3);
    const sent: string[] = [];
    const out = resendKept(o, { from: 1 }, (m) => sent.push(`${m.kind}:${m.eventId}:${m.publication}`), window);
    expect(sent).toEqual(['event:a:1', 'snapshot:a:1', 'event:b:2', 'snapshot:b:2']);
    expect(out).toEqual({ ok: true, detail: { from: 1, through: 3, latest: 3, resent: 2, queued: 1, notKept: [], more: false } });
  });

  it('forgets delivered alerts past the window, and then answers "no longer kept" for them', () => {
    const dir = tmp();
    const o = open(dir, keeping);
    const rows = publish(o, ['a', 'b'], T, true);
    for (const r of rows) o.remove(r.id, T);
    const sent: number[] = [];
    expect(resendKept(o, { from: 1, to: 2 }, (m) => sent.push(m.publication ?? 0), window).ok).toBe(true);
    expect(sent).toEqual([1, 1, 2, 2]);
    o.expire(0, T + 3_600_001);
    expect(readdirSync(join(dir, 'snapshots'))).toEqual([]);
    const late = resendKept(o, { from: 1, to: 2 }, () => sent.push(-1), window);
    expect(late.ok).toBe(false);
    expect(late).toMatchObject({
      error: expect.stringMatching(/^publications 1–2 are no longer kept/),
      detail: { notKept: [[1, 2]], resent: 0 },
    });
    expect(sent).not.toContain(-1);
  });

  it('keeps at most the window in bytes: the oldest delivered go first', () => {
    const o = open(tmp(), { ...keeping, keepDeliveredBytes: 250 });
    const rows = publish(o, ['a', 'b', 'c'], T);
    for (const r of rows) o.remove(r.id, T);
    const out = resendKept(o, { from: 1 }, () => {}, window);
    expect(out.detail).toMatchObject({ resent: 2, notKept: [[1, 1]] });
  });

  it('gives up the whole delivered window, files first, when the disk is full', () => {
    const dir = tmp();
    const o = open(dir, keeping);
    const rows = publish(o, ['a', 'b'], T, true);
    for (const r of rows.slice(0, 2)) o.remove(r.id, T);
    expect(o.shedDelivered()).toBe(2);
    // The queued snapshot of b stays; the delivered one of a is gone.
    expect(readdirSync(join(dir, 'snapshots'))).toHaveLength(1);
    expect(resendKept(o, { from: 1 }, () => {}, window).detail).toMatchObject({ resent: 0, queued: 1, notKept: [[1, 1]] });
  });

  it('keeps nothing once delivered when the window is 0, as before numbering', () => {
    const o = open(tmp());
    const rows = publish(o, ['a'], T);
    o.remove(rows[0].id, T);
    expect(resendKept(o, { from: 1 }, () => {}, window)).toMatchObject({ ok: false, detail: { notKept: [[1, 1]] } });
  });
});

describe('Outbox: what was already sent of an event (for the open events of a restart)', () => {
  const keeping: OutboxLimits = { ...roomy, keepDeliveredMs: 3_600_000, keepDeliveredBytes: 1_000_000 };
  const alert = (eventId: string, state: string, seq: number): NewOutboxMessage => ({
    ...event(eventId, state),
    payload: Buffer.from(JSON.stringify({ id: eventId, state, seq })),
  });

  it('gives the highest seq, queued or delivered and kept, and whether one of them closed the event', () => {
    const o = open(tmp(), keeping);
    const [started] = o.add([{ ...alert('a', 'started', 0), publication: o.nextPublication() }], 0).added;
    o.add([{ ...alert('a', 'updated', 1), publication: o.nextPublication() }], 0);
    o.remove(started.id);
    o.add(
      [
        { ...alert('b', 'updated', 4), publication: o.nextPublication() },
        { ...alert('b', 'cleared', 5), publication: o.nextPublication() },
      ],
      0,
    );
    o.add([snapshot('b')], 0);
    expect(o.sentOf('a')).toEqual({ seq: 1, closed: false });
    expect(o.sentOf('b')).toEqual({ seq: 5, closed: true });
    expect(o.sentOf('c')).toBeUndefined();
  });
});
