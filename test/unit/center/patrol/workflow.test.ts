import { describe, expect, it } from 'vitest';
import { newOrder } from '../../../../agent/src/center/patrol/orders.ts';
import {
  allowedActions,
  type OrderRecord,
  overdueStages,
  type StepRequest,
  step,
  systemStep,
  toEscalate,
} from '../../../../agent/src/center/patrol/workflow.ts';

const LIMITS = { dispatch: 10, arrive: 20, handle: 30 };
const T0 = Date.parse('2026-12-07T08:00:00Z');
const MIN = 60_000;

const fresh = (): OrderRecord =>
  newOrder(
    {
      id: 'wo-000000000001',
      category: 'street_vending',
      lon: 121.47,
      lat: 31.23,
      address: '南京东路 1 号',
      events: [{ site: 'a', id: 'ev-1' }],
      note: null,
      openedBy: 'olga',
      openedAt: T0,
      repeatOf: null,
    },
    LIMITS,
  );

/** Applies steps in order, failing the test on a refusal. */
function run(o: OrderRecord, ...reqs: Omit<StepRequest, 'at'>[]): OrderRecord {
  let cur = o;
  reqs.forEach((r, i) => {
    const out = step(cur, { ...r, at: T0 + (i + 1) * MIN }, LIMITS);
    if (!out.ok) throw new Error(out.conflict);
    cur = out.order;
  });
  return cur;
}

describe('the work order workflow', () => {
  it('walks 立案 → 派遣 → 接单 → 到场 → 处置 → 核查 → 结案, recording who, when, where and the unit', () => {
    const o = fresh();
    expect(o.state).toBe('filed');
    const d = step(o, { action: 'dispatch', by: 'dmitri', at: T0 + MIN, unit: 'team-1' }, LIMITS);
    if (!d.ok) throw new Error(d.conflict);
    expect(d.transition).toMatchObject({ from: 'filed', to: 'dispatched', action: 'dispatch', by: 'dmitri', at: T0 + MIN, unit: 'team-1' });
    const arrived = run(d.order, { action: 'accept', by: 'pat' });
    const where = { lon: 121.4701, lat: 31.2301, accuracyM: 8 };
    const a = step(arrived, { action: 'arrive', by: 'pat', at: T0 + 5 * MIN, where }, LIMITS);
    if (!a.ok) throw new Error(a.conflict);
    expect(a.transition.where).toEqual(where);
    const handled = run(a.order, { action: 'handle', by: 'pat', outcome: 'corrected' });
    expect(handled).toMatchObject({ state: 'handled', outcome: 'corrected', handledBy: 'pat' });
    const closed = run(handled, { action: 'verify', by: 'box:a' });
    expect(closed).toMatchObject({ state: 'closed', closedAs: 'handled', unit: 'team-1' });
  });

  it('answers a transition the state does not allow with the allowed actions and changes nothing', () => {
    const o = fresh();
    const out = step(o, { action: 'handle', by: 'pat', at: T0, outcome: 'corrected' }, LIMITS);
    expect(out).toEqual({ ok: false, conflict: expect.stringContaining('filed'), allowed: ['dispatch', 'close'] });
    expect(o.state).toBe('filed');
    expect(allowedActions('closed')).toEqual(['reopen']);
  });

  it('reopens a handled order back to its unit, and a verified "not found" closes as not_found', () => {
    const handled = run(
      fresh(),
      { action: 'dispatch', by: 'd', unit: 'team-1' },
      { action: 'arrive', by: 'p' },
      { action: 'handle', by: 'p', outcome: 'corrected' },
    );
    const reopened = run(handled, { action: 'reopen', by: 'box:a', note: 'still seen' });
    expect(reopened).toMatchObject({ state: 'dispatched', unit: 'team-1', outcome: null, handledBy: null });
    const notFound = run(
      reopened,
      { action: 'arrive', by: 'p' },
      { action: 'handle', by: 'p', outcome: 'not_found' },
      { action: 'verify', by: 's' },
    );
    expect(notFound.closedAs).toBe('not_found');
  });

  it('counts the arrival deadline from the dispatch and flags and escalates a missed one once', () => {
    const d = run(fresh(), { action: 'dispatch', by: 'd', unit: 'team-1' });
    expect(d.due.arrive).toBe(T0 + MIN + 20 * MIN);
    const late = T0 + 40 * MIN;
    expect(overdueStages(d, late)).toEqual(['arrive']);
    expect(toEscalate(d, late)).toEqual(['arrive']);
    expect(toEscalate({ ...d, escalated: ['arrive'] }, late)).toEqual([]);
    // An order nobody dispatched escalates its dispatch, not the later stages whose clocks also ran out.
    expect(toEscalate(fresh(), T0 + 300 * MIN)).toEqual(['dispatch']);
    // A stage done late stays overdue in the record, but there is nothing left to escalate.
    const arrived = step(d, { action: 'arrive', by: 'p', at: late }, LIMITS);
    if (!arrived.ok) throw new Error(arrived.conflict);
    expect(overdueStages(arrived.order, late)).toEqual(['arrive']);
    expect(toEscalate(arrived.order, late)).toEqual([]);
  });

  it('warns, and a warning not cleared in the wait files the order again for dispatch', () => {
    const warned = systemStep(fresh(), 'warn', T0 + MIN, null);
    expect(warned?.order).toMatchObject({ state: 'warning', warned: true });
    expect(warned?.transition).toMatchObject({ from: 'filed', to: 'warning', action: 'warn', by: 'system' });
    const expired = systemStep(warned!.order, 'warning_expired', T0 + 3 * MIN, null);
    expect(expired?.order.state).toBe('filed');
    expect(systemStep(expired!.order, 'warning_expired', T0 + 4 * MIN, null)).toBeNull();
    const closed = run(warned!.order, { action: 'close', by: 'box:a', reason: 'corrected_after_warning' });
    expect(closed).toMatchObject({ state: 'closed', closedAs: 'corrected_after_warning', done: {} });
  });
});
