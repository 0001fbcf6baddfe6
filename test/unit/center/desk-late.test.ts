import { describe, expect, it } from 'vitest';
import { lateStages } from '../../../agent/src/center/client/desk/late.ts';
import type { Order } from '../../../agent/src/center/patrol/schema.ts';

/** Which stages the dispatcher's list marks late: a stage is late while it is not done and its deadline has passed. */
const T0 = Date.parse('2026-12-07T12:00:00Z');
const at = (min: number) => new Date(T0 + min * 60_000).toISOString();
const order = (o: Partial<Order>): Order => ({
  id: 'wo-000000000001',
  state: 'filed',
  category: 'street_vending',
  events: [],
  place: { lon: 121.47, lat: 31.23 },
  photos: [],
  openedBy: 'dora',
  openedAt: at(0),
  due: { dispatch: at(10), arrive: at(30), handle: at(60) },
  overdue: [],
  escalated: [],
  warned: false,
  updatedAt: at(0),
  ...o,
});

describe('the late stages of a work order, as the orders page marks them', () => {
  it('nothing is late before the first deadline', () => {
    expect(lateStages(order({}), T0 + 5 * 60_000)).toEqual([]);
  });

  it('an order still filed after its dispatch deadline is late for dispatch, and later for arrival too', () => {
    expect(lateStages(order({}), T0 + 11 * 60_000)).toEqual(['dispatch']);
    expect(lateStages(order({}), T0 + 31 * 60_000)).toEqual(['dispatch', 'arrive']);
  });

  it('a stage done is no longer late, even when the center listed it overdue when it was done', () => {
    const dispatched = order({ state: 'dispatched', overdue: ['dispatch'] });
    expect(lateStages(dispatched, T0 + 11 * 60_000)).toEqual([]);
    expect(lateStages(order({ state: 'on_scene' }), T0 + 45 * 60_000)).toEqual([]);
    expect(lateStages(order({ state: 'on_scene' }), T0 + 61 * 60_000)).toEqual(['handle']);
  });

  it('a closed order is never late', () => {
    expect(lateStages(order({ state: 'closed', overdue: ['dispatch', 'arrive'] }), T0 + 600 * 60_000)).toEqual([]);
  });

  it("the center's own overdue list counts even when the page's clock is behind", () => {
    expect(lateStages(order({ overdue: ['dispatch'] }), T0)).toEqual(['dispatch']);
  });
});
