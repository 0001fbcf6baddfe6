import { distanceMeters } from '../../geo/local-frame.ts';
import type { EventRef, Order, Transition } from './schema.ts';
import { initialDue, type OrderRecord, overdueStages, type StageLimits, type TransitionRecord } from './workflow.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/** What a new order starts from: its spot, its category, who opened it and the alerts it links. */
export interface OrderSeed {
  id: string;
  category: string;
  lon: number;
  lat: number;
  address: string | null;
  events: EventRef[];
  note: string | null;
  openedBy: string;
  openedAt: number;
  repeatOf: string | null;
}

export function newOrder(seed: OrderSeed, limits: StageLimits): OrderRecord {
  return {
    ...seed,
    state: 'filed',
    unit: null,
    outcome: null,
    closedAs: null,
    photos: [],
    due: initialDue(seed.openedAt, limits),
    done: {},
    escalated: [],
    warned: false,
    handledBy: null,
    updatedAt: seed.openedAt,
    rev: 0,
  };
}

export function presentTransition(t: TransitionRecord): Transition {
  return {
    from: t.from,
    to: t.to,
    action: t.action,
    by: t.by,
    at: iso(t.at),
    ...(t.where ? { where: t.where } : {}),
    ...(t.note !== null ? { note: t.note } : {}),
    ...(t.unit !== null ? { unit: t.unit } : {}),
    ...(t.outcome !== null ? { outcome: t.outcome } : {}),
    ...(t.reason !== null ? { reason: t.reason } : {}),
  };
}

/** The wire's order at `now` (overdue stages computed then), with its transitions when given. */
export function presentOrder(o: OrderRecord, now: number, transitions?: readonly TransitionRecord[]): Order {
  return {
    id: o.id,
    state: o.state,
    category: o.category,
    events: o.events,
    place: { lon: o.lon, lat: o.lat, ...(o.address !== null ? { address: o.address } : {}) },
    ...(o.unit !== null ? { unit: o.unit } : {}),
    ...(o.outcome !== null ? { outcome: o.outcome } : {}),
    ...(o.closedAs !== null ? { closedAs: o.closedAs } : {}),
    ...(o.note !== null ? { note: o.note } : {}),
    photos: o.photos,
    openedBy: o.openedBy,
    openedAt: iso(o.openedAt),
    due: { dispatch: iso(o.due.dispatch), arrive: iso(o.due.arrive), handle: iso(o.due.handle) },
    overdue: overdueStages(o, now),
    escalated: o.escalated,
    warned: o.warned,
    ...(o.repeatOf !== null ? { repeatOf: o.repeatOf } : {}),
    updatedAt: iso(o.updatedAt),
    ...(transitions ? { transitions: transitions.map(presentTransition) } : {}),
  };
}

/** The open order of the same category at this spot (within `meters`), the nearest: alerts there join it. */
export function orderToJoin(open: readonly OrderRecord[], category: string, lon: number, lat: number, meters: number): OrderRecord | null {
  return nearest(
    open.filter((o) => o.state !== 'closed' && o.category === category),
    lon,
    lat,
    meters,
  );
}

/** The order of the same category closed at this spot less than `minutes` ago: a new order there repeats it. */
export function orderRepeated(
  orders: readonly OrderRecord[],
  category: string,
  lon: number,
  lat: number,
  meters: number,
  minutes: number,
  now: number,
): OrderRecord | null {
  const recent = orders.filter(
    (o) => o.state === 'closed' && o.category === category && o.closedAs !== 'duplicate' && now - o.updatedAt <= minutes * 60_000,
  );
  return nearest(recent, lon, lat, meters);
}

function nearest(orders: readonly OrderRecord[], lon: number, lat: number, meters: number): OrderRecord | null {
  let best: OrderRecord | null = null;
  let bestM = Number.POSITIVE_INFINITY;
  for (const o of orders) {
    const m = distanceMeters({ lon, lat }, { lon: o.lon, lat: o.lat });
    if (m <= meters && m < bestM) {
      best = o;
      bestM = m;
    }
  }
  return best;
}

/** Adds alerts not linked yet; null when all were. */
export function withEvents(o: OrderRecord, refs: readonly EventRef[]): EventRef[] | null {
  const key = (e: EventRef) => `${e.site}\u0000${e.id}`;
  const have = new Set(o.events.map(key));
  const added = refs.filter((e) => !have.has(key(e)));
  return added.length ? [...o.events, ...added] : null;
}
