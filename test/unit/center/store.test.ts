import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../agent/src/center/store/sqlite.ts';
import type { CenterStore } from '../../../agent/src/center/store/types.ts';
import type { Alert } from '../../../agent/src/contract/alert.ts';
import type { CameraHealth, Status } from '../../../agent/src/contract/health.ts';
import { makeAlert } from '../../helpers/box-simulator.ts';
import { incoming, openTempArchive } from '../../helpers/center-archive.ts';

/**
 * The archive on a real SQLite file: what the queue lists, how actions and deliveries move, what survives a restart.
 * (test/integration/center-store.test.ts holds both engines to the ordering and status contract.)
 */
const HOUR = 3_600_000;
const T0 = Date.parse('2026-12-01T08:00:00Z');
const PIC = Buffer.from('pic');

let store: CenterStore;
let path: string;
let remove: () => Promise<void>;
beforeEach(async () => {
  ({ store, path, remove } = await openTempArchive());
});
afterEach(() => remove());

type Ev = {
  id: string;
  site?: string;
  type?: Alert['type'];
  state?: Alert['state'];
  seq?: number;
  at?: number;
  operator?: Alert['operator'];
};
const save = (e: Ev, forwarders: string[] = []) =>
  store.saveEvent(
    incoming(
      {
        ...makeAlert({
          site: e.site ?? 'box-a',
          camera: 'cam-1',
          id: e.id,
          seq: e.seq ?? 0,
          state: e.state ?? 'started',
          jpeg: PIC,
          at: e.at ?? T0,
          ...(e.type ? { type: e.type } : {}),
        }),
        ...(e.operator ? { operator: e.operator } : {}),
      },
      e.at ?? T0,
    ),
    forwarders,
  );
const ids = async (f: Parameters<CenterStore['listEvents']>[0]) => (await store.listEvents(f)).map((e) => e.id);

describe('center archive (SQLite)', () => {
  it('lists the queue newest first, and "open" leaves out cleared events and those an operator closed', async () => {
    await save({ id: 'parked', at: T0 });
    await save({ id: 'cleared', at: T0 + HOUR });
    await save({ id: 'cleared', seq: 1, state: 'cleared', at: T0 + HOUR + 60_000 });
    await save({ id: 'false', at: T0 + 2 * HOUR });
    await save({
      id: 'false',
      seq: 1,
      state: 'updated',
      at: T0 + 2 * HOUR + 60_000,
      operator: { action: 'false_positive', by: 'wang', at: new Date(T0 + 2 * HOUR).toISOString() },
    });
    await save({
      id: 'sent',
      at: T0 + 3 * HOUR,
      site: 'box-b',
      type: 'street_vending',
      operator: { action: 'dispatch', by: 'li', unit: 'patrol-3', at: new Date(T0 + 3 * HOUR).toISOString() },
    });

    expect(await ids({})).toEqual(['sent', 'false', 'cleared', 'parked']);
    expect(await ids({ open: true })).toEqual(['sent', 'parked']);
    expect(await ids({ site: 'box-b' })).toEqual(['sent']);
    expect(await ids({ type: 'street_vending' })).toEqual(['sent']);
    expect(await ids({ states: ['cleared', 'updated'] })).toEqual(['false', 'cleared']);
    expect(await ids({ since: T0 + HOUR - 60_000, until: T0 + 2 * HOUR })).toEqual(['false', 'cleared']);
    expect(await ids({ limit: 1 })).toEqual(['sent']);
    expect((await store.listEvents({ site: 'box-b' }))[0]).toMatchObject({ operatorAction: 'dispatch', operatorUnit: 'patrol-3' });
  });

  it('an action moves the event into the live feed’s view, and a timeout never overwrites the box’s answer', async () => {
    await save({ id: 'ev-1', at: T0 });
    const action = { eventId: 'ev-1', site: 'box-a', action: 'ack', by: 'wang', role: 'operator', unit: null, note: null };
    await store.recordAction({ ...action, requestId: 'r1', requestedAt: T0 + 10_000 });
    const seen = await store.changedSince(T0 + 5_000);
    expect(seen.events.map((e) => [e.id, e.rev])).toEqual([['ev-1', 2]]);

    await store.finishAction('r1', 'ok', null, T0 + 11_000);
    await store.finishAction('r1', 'timeout', 'no answer', T0 + 20_000);
    await store.recordAction({ ...action, requestId: 'r2', requestedAt: T0 + 30_000 });
    await store.finishAction('r2', 'timeout', 'no answer', T0 + 40_000);

    expect((await store.getEvent('ev-1'))!.actions).toMatchObject([
      { requestId: 'r1', result: 'ok', error: null, answeredAt: T0 + 11_000 },
      { requestId: 'r2', result: 'timeout', error: 'no answer', answeredAt: T0 + 40_000 },
    ]);
  });

  it('a claimed delivery is not handed out again within its lease; delivered and failed ones are counted', async () => {
    await save({ id: 'ev-1', at: T0 }, ['city', 'district']);

    const first = await store.claimDeliveries(T0, 10, 60_000);
    expect(first.map((d) => `${d.forwarder}:${d.eventId}:${d.seq}`).sort()).toEqual(['city:ev-1:0', 'district:ev-1:0']);
    expect((JSON.parse(first[0].alertJson) as { id: string }).id).toBe('ev-1');
    expect(await store.claimDeliveries(T0 + 30_000, 10, 60_000)).toEqual([]);

    const city = first.find((d) => d.forwarder === 'city')!;
    const district = first.find((d) => d.forwarder === 'district')!;
    await store.finishDelivery(city, { ok: true, status: 200, at: T0 + 1_000 });
    await store.finishDelivery(district, { ok: false, status: 502, error: 'HTTP 502', nextAt: T0 + 5_000 });
    // The one to retry comes back when due (and not before); the delivered one never does.
    expect(await store.claimDeliveries(T0 + 4_000, 10, 60_000)).toEqual([]);
    expect((await store.claimDeliveries(T0 + 5_000, 10, 60_000)).map((d) => [d.forwarder, d.attempts])).toEqual([['district', 1]]);

    expect(await store.deliveryStats()).toEqual([
      { forwarder: 'city', pending: 0, delivered: 1, failed: 0, lastError: null, lastDeliveredAt: T0 + 1_000 },
      { forwarder: 'district', pending: 1, delivered: 0, failed: 0, lastError: 'HTTP 502', lastDeliveredAt: null },
    ]);
  });

  it('keeps a camera’s newest health even when an older report arrives after it', async () => {
    const health = (at: number, state: CameraHealth['state'], reason?: string): CameraHealth => ({
      camera: 'cam-1',
      state,
      ...(reason ? { reason } : {}),
      since: new Date(at).toISOString(),
      targetFps: 5,
      analysedFps: state === 'streaming' ? 5 : 0,
      skippedFrames: 0,
      analysedFrames: 10,
      lastFrameAgeSeconds: 0.1,
      reconnects: 0,
      at: new Date(at).toISOString(),
    });
    await store.saveHealth('box-a', health(T0 + 2_000, 'backoff', 'connection refused'), T0 + 2_100);
    await store.saveHealth('box-a', health(T0 + 1_000, 'streaming'), T0 + 2_200);

    expect((await store.listBoxes())[0].cameras).toMatchObject([{ camera: 'cam-1', state: 'backoff', reason: 'connection refused' }]);
  });

  it('what was archived is there after a restart (the file is reopened, its schema not migrated twice)', async () => {
    await save({ id: 'ev-1', at: T0 }, ['city']);
    await store.close();
    const reopened = await openSqliteStore(path);

    expect((await reopened.listEvents({})).map((e) => e.id)).toEqual(['ev-1']);
    expect(await reopened.counts()).toMatchObject({ events: 1, messages: 1, deliveries: 1 });
    await reopened.close();
  });

  it('a Last Will counts as a change when it arrives, so the live feed sends the box offline', async () => {
    const status = (online: boolean): Status => ({
      online,
      agentVersion: '1',
      boxId: 'b',
      at: new Date(T0).toISOString(),
      cameras: [{ id: 'cam-1', state: 'streaming' }],
    });
    await store.saveStatus('box-a', status(true), T0);
    await store.saveStatus('box-a', status(false), T0 + 60_000);
    const { boxes } = await store.changedSince(T0 + 30_000);
    expect(boxes).toMatchObject([{ site: 'box-a', online: false, changedAt: T0 + 60_000 }]);
  });
});
