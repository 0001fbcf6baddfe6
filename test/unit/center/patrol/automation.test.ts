import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Patrol, startPatrol } from '../../../../agent/src/center/patrol/automation.ts';
import { patrolConfigSchema } from '../../../../agent/src/center/patrol/config.ts';
import type { Escalation } from '../../../../agent/src/center/patrol/schema.ts';
import { openBlobStore } from '../../../../agent/src/center/store/blob-store.ts';
import type { CenterStore } from '../../../../agent/src/center/store/types.ts';
import type { Alert } from '../../../../agent/src/contract/alert.ts';
import { silentLogger } from '../../../../agent/src/core/log.ts';
import { makeAlert, streetJpeg } from '../../../helpers/box-simulator.ts';
import { incoming, openTempArchive } from '../../../helpers/center-archive.ts';

const T0 = Date.parse('2026-12-07T02:00:00Z');
const MIN = 60_000;

/** The automation on a real SQLite archive with a clock the test turns (no waiting). */
describe('patrol automation (real archive, the test’s clock)', () => {
  let archive: Awaited<ReturnType<typeof openTempArchive>>;
  let store: CenterStore;
  let patrol: Patrol;
  let clock = T0;
  const escalations: Escalation[] = [];
  const dispatched: string[] = [];

  beforeEach(async () => {
    archive = await openTempArchive();
    store = archive.store;
    clock = T0;
    escalations.length = 0;
    const cfg = patrolConfigSchema.parse({
      limits: { street_vending: { dispatch: 10, arrive: 20, handle: 30 } },
      autoOpen: [{ types: ['street_vending'], schedule: [{ days: [1, 2, 3, 4, 5], from: '08:00', to: '20:00' }] }],
      warnings: [{ types: ['street_vending'], waitSeconds: 120 }],
      checkSeconds: 3600,
    });
    patrol = startPatrol({
      store,
      cfg,
      blobs: await openBlobStore(join(archive.path, '..', 'photos')),
      forwarders: [],
      dispatchAlert: async (ref) => {
        dispatched.push(ref.id);
      },
      changed: () => {},
      escalated: (e) => escalations.push(e),
      log: silentLogger,
      now: () => clock,
    });
  });
  afterEach(async () => {
    patrol.stop();
    await archive.remove();
  });

  /** An alert stored in the archive, not yet handed to the automation. */
  async function archived(id: string, seq: number, state: Alert['state']): Promise<Alert> {
    const a: Alert = {
      ...makeAlert({ site: 's', camera: 'c', id, seq, state, jpeg: await streetJpeg(), type: 'street_vending', at: clock }),
      category: { id: 'street_vending', name: '占道经营', nameEn: 'Street vending', catalogueVersion: 't' },
    };
    await store.saveEvent(incoming(a, clock), []);
    return a;
  }
  async function alert(id: string, seq: number, state: Alert['state']): Promise<Alert> {
    const a = await archived(id, seq, state);
    await patrol.onAlert(a);
    return a;
  }
  const only = async () => {
    const list = await store.patrol.listOrders({});
    expect(list).toHaveLength(1);
    return list[0];
  };

  it('opens an order by itself within the schedule (Monday 10:00 in UTC+8), warns first, and files it for dispatch when the wait passes', async () => {
    await alert('ev-1', 0, 'started');
    expect(await only()).toMatchObject({ state: 'warning', openedBy: 'system', warned: true });
    clock += 60_000;
    await patrol.tick();
    expect((await only()).state).toBe('warning');
    clock += 61_000;
    await patrol.tick();
    const filed = await only();
    expect(filed.state).toBe('filed');
    expect((await store.patrol.transitions(filed.id)).map((t) => t.action)).toEqual(['open', 'warn', 'warning_expired']);
  });

  it('opens nothing outside the schedule (Monday 22:00 in UTC+8)', async () => {
    clock = T0 + 12 * 60 * MIN;
    await alert('ev-night', 0, 'started');
    expect(await store.patrol.listOrders({})).toEqual([]);
  });

  it('escalates the overdue dispatch once, then the arrival in its turn', async () => {
    await alert('ev-2', 0, 'started');
    clock += 3 * MIN;
    await patrol.tick();
    const o = await only();
    clock += 11 * MIN;
    await patrol.tick();
    await patrol.tick();
    expect(escalations.map((e) => e.stage)).toEqual(['dispatch']);
    const dispatch = (clientId: string) =>
      patrol.service.transition({ user: 'd', role: 'dispatcher' }, o.id, { action: 'dispatch', unitId: 'u-1', clientId });
    await expect(dispatch('00000000-0000-4000-8000-000000000001')).rejects.toThrow('unitId: no unit u-1');
    await patrol.service.putUnit('u-1', { name: 'U1', kind: 'team', members: [], area: [], duty: [] });
    await dispatch('00000000-0000-4000-8000-000000000002');
    expect(dispatched).toContain('ev-2');
    clock += 21 * MIN;
    await patrol.tick();
    await patrol.tick();
    expect(escalations.map((e) => e.stage)).toEqual(['dispatch', 'arrive']);
    expect((await only()).escalated).toEqual(['dispatch', 'arrive']);
  });
  it('links an alert to the open order of its spot by hand while the automation links another as it is archived: both joined, neither refused', async () => {
    await alert('ev-5', 0, 'started');
    const opened = await only();
    await archived('ev-6', 0, 'started');
    const second = await archived('ev-7', 0, 'started');
    const [byHand] = await Promise.all([
      patrol.service.openOrder({ user: 'o', role: 'operator' }, { events: [{ site: 's', id: 'ev-6' }] }),
      patrol.onAlert(second),
    ]);
    expect(byHand).toMatchObject({ opened: false, order: { id: opened.id } });
    expect((await only()).events.map((e) => e.id).sort()).toEqual(['ev-5', 'ev-6', 'ev-7']);
  });

  it('opens one order for a spot when a person opens it by hand while the automation opens it for another alert there', async () => {
    await archived('ev-8', 0, 'started');
    const second = await archived('ev-9', 0, 'started');
    const [byHand] = await Promise.all([
      patrol.service.openOrder({ user: 'o', role: 'operator' }, { events: [{ site: 's', id: 'ev-8' }] }),
      patrol.onAlert(second),
    ]);
    const order = await only();
    expect(byHand.order.id).toBe(order.id);
    expect(order.events.map((e) => e.id).sort()).toEqual(['ev-8', 'ev-9']);
  });

  it('keeps the overdue stage marked escalated when the dispatcher’s step lands between the check reading the order and marking it', async () => {
    await alert('ev-8', 0, 'started');
    clock += 3 * MIN;
    await patrol.tick();
    const o = await only();
    await patrol.service.putUnit('u-2', { name: 'U2', kind: 'team', members: [], area: [], duty: [] });
    const save = store.patrol.saveStep.bind(store.patrol);
    let dispatched = false;
    store.patrol.saveStep = async (rev, next, t) => {
      // The check's mark (a change without a transition): the dispatcher's step goes first.
      if (!t && !dispatched) {
        dispatched = true;
        await patrol.service.transition({ user: 'd', role: 'dispatcher' }, o.id, {
          action: 'dispatch',
          unitId: 'u-2',
          clientId: '00000000-0000-4000-8000-000000000003',
        });
      }
      return save(rev, next, t);
    };
    clock += 11 * MIN;
    await patrol.tick();
    expect(dispatched).toBe(true);
    expect(escalations.map((e) => e.stage)).toEqual(['dispatch']);
    expect(await only()).toMatchObject({ state: 'dispatched', unit: 'u-2', escalated: ['dispatch'] });
  });
});
