import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIngest, type Ingest } from '../../../agent/src/center/ingest.ts';
import type { CenterStore } from '../../../agent/src/center/store/types.ts';
import { COMMAND_RESULT_SCHEMA_ID, type CommandResult } from '../../../agent/src/contract/commands.ts';
import { sha256Hex } from '../../../agent/src/core/hash.ts';
import { makeAlert } from '../../helpers/box-simulator.ts';
import { openTempArchive } from '../../helpers/center-archive.ts';

/** What arrives from the broker, handled by the real ingest into a real SQLite archive (no broker needed for this). */
const ROOT = 'jifang/v1';
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);

let store: CenterStore;
let remove: () => Promise<void>;
let ingest: Ingest;
let logged: { msg: string; topic?: string; reason?: string }[];
let changes: number;
let results: CommandResult[];
beforeEach(async () => {
  ({ store, remove } = await openTempArchive());
  logged = [];
  changes = 0;
  results = [];
  ingest = createIngest({
    root: ROOT,
    store,
    instance: 'center-a',
    forwarders: (state) => (state === 'started' ? ['city'] : []),
    log: pino({ level: 'info' }, { write: (s: string) => logged.push(JSON.parse(s)) }),
    onChange: () => changes++,
    onCommandResult: (_site, r) => results.push(r),
  });
});
afterEach(() => remove());

const alert = (o: { id?: string; seq?: number; site?: string } = {}) =>
  makeAlert({ site: o.site ?? 'box-a', camera: 'cam-1', id: o.id ?? 'ev-1', seq: o.seq ?? 0, state: 'started', jpeg: JPEG });
const send = (topic: string, value: unknown) =>
  ingest.handle(`${ROOT}/${topic}`, Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value)));

describe('center ingest: what a box publishes, archived once', () => {
  it('archives an alert with its standard category, queues it for the forwarders, and keeps a repeat once', async () => {
    const a = {
      ...alert(),
      category: { id: 'illegal_parking', name: '违章停车', nameEn: 'Illegal parking', code: '01001', catalogueVersion: '1' },
    };
    await send('box-a/cam-1/events', a);
    await send('box-a/cam-1/events', a);

    const got = await store.getEvent('ev-1');
    expect(got!.event).toMatchObject({ site: 'box-a', camera: 'cam-1', state: 'started', categoryCode: '01001', categoryName: '违章停车' });
    expect(got!.messages.map((m) => m.seq)).toEqual([0]);
    expect(got!.deliveries.map((d) => `${d.forwarder}:${d.seq}:${d.state}`)).toEqual(['city:0:pending']);
    expect(ingest.counters).toMatchObject({ received: 2, events: 1, duplicates: 1, rejected: 0 });
    expect(changes).toBe(1);
  });

  it('refuses an alert that is not JSON, not the contract, or on another box’s topic, naming why; nothing stored', async () => {
    await ingest.handle(`${ROOT}/box-a/cam-1/events`, Buffer.from('{not json'));
    await send('box-a/cam-1/events', { ...alert(), seq: -1 });
    await send('box-b/cam-1/events', alert({ site: 'box-a' }));

    expect(await store.listEvents({})).toEqual([]);
    expect(ingest.counters).toMatchObject({ received: 3, events: 0, rejected: 2, wrongSite: 1 });
    const refusals = logged.filter((l) => l.msg === 'message refused');
    expect(refusals.map((l) => l.topic)).toEqual([
      `${ROOT}/box-a/cam-1/events`,
      `${ROOT}/box-a/cam-1/events`,
      `${ROOT}/box-b/cam-1/events`,
    ]);
    expect(refusals[0].reason).toMatch(/^not JSON/);
    expect(refusals[1].reason).toMatch(/^not a jifang\.event\/1 alert: seq: /);
    expect(refusals[2].reason).toBe('alert of box-a/cam-1 on the topic of box-b/cam-1');
  });

  it('keeps a snapshot under its SHA-256 once, and refuses one that is not a JPEG', async () => {
    await send('box-a/cam-1/events/ev-1/snapshot', JPEG);
    await send('box-a/cam-1/events/ev-1/snapshot', JPEG);
    await send('box-a/cam-1/events/ev-1/snapshot', Buffer.from('GIF89a'));

    expect((await store.getSnapshot(sha256Hex(JPEG)))?.equals(JPEG)).toBe(true);
    expect(ingest.counters).toMatchObject({ snapshots: 1, duplicates: 1, rejected: 1 });
    expect((await store.counts()).snapshots).toBe(1);
  });

  it('shows a box online with its cameras from its status and their health; an emptied retained status changes nothing', async () => {
    const at = new Date().toISOString();
    await send('box-a/status', { online: true, agentVersion: '1.2.3', boxId: 'box-01', at, cameras: [{ id: 'cam-1', name: 'Gate' }] });
    await send('box-a/cam-1/health', {
      camera: 'cam-1',
      state: 'streaming',
      since: at,
      targetFps: 5,
      analysedFps: 4.5,
      skippedFrames: 0,
      analysedFrames: 90,
      lastFrameAgeSeconds: 0.2,
      reconnects: 2,
      at,
    });
    await send('box-a/status', Buffer.alloc(0));

    expect(await store.listBoxes()).toMatchObject([
      {
        site: 'box-a',
        boxId: 'box-01',
        online: true,
        agentVersion: '1.2.3',
        cameras: [{ camera: 'cam-1', name: 'Gate', state: 'streaming', health: { analysedFps: 4.5, reconnects: 2 } }],
      },
    ]);
    expect(ingest.counters.rejected).toBe(0);
  });

  it('hands a box’s command result to the waiting command and records it on the operator’s action', async () => {
    await send('box-a/cam-1/events', alert());
    await store.recordAction({
      requestId: 'req-7',
      eventId: 'ev-1',
      site: 'box-a',
      action: 'ack',
      by: 'wang',
      role: 'operator',
      unit: null,
      note: null,
      requestedAt: Date.now(),
    });
    const result: CommandResult = {
      schema: COMMAND_RESULT_SCHEMA_ID,
      command: 'event',
      topic: `${ROOT}/box-a/cmd/event`,
      requestId: 'req-7',
      ok: false,
      error: 'event ev-1 already ended',
      boxId: 'box-01',
      at: new Date().toISOString(),
    };
    await send('box-a/cmd-result', result);

    expect(results).toEqual([result]);
    expect((await store.getEvent('ev-1'))!.actions).toMatchObject([
      { requestId: 'req-7', result: 'refused', error: 'event ev-1 already ended' },
    ]);
  });

  it('writes an alert in the next transaction, ahead of the cameras’ health waiting before it', async () => {
    const at = new Date().toISOString();
    const health = (camera: string) => ({
      camera,
      state: 'streaming',
      since: at,
      targetFps: 5,
      analysedFps: 5,
      skippedFrames: 0,
      analysedFrames: 90,
      lastFrameAgeSeconds: 0.2,
      reconnects: 0,
      at,
    });
    // One message starts a transaction; all the others arrive while it commits.
    const first = send('box-a/cam-0/health', health('cam-0'));
    let healthStored = 0;
    const waiting = Array.from({ length: 600 }, (_, i) =>
      send(`box-a/cam-${i + 1}/health`, health(`cam-${i + 1}`)).then(() => healthStored++),
    );
    let healthBeforeAlert: number | undefined;
    const urgent = send('box-a/cam-1/events', alert()).then(() => {
      healthBeforeAlert = healthStored;
    });
    await Promise.all([first, urgent, ...waiting]);

    expect(healthBeforeAlert).toBe(0);
    expect(healthStored).toBe(600);
    expect((await store.getEvent('ev-1'))!.messages).toHaveLength(1);
  });
});
