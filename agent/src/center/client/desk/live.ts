import { api } from '../../../web/client/api.ts';
import type { Order, Stage, Unit } from '../../patrol/schema.ts';
import { lateStages } from './late.ts';

/* The patrol state every desktop page shares: work orders and units, loaded on (re)connect, kept by the live feed. */

export const orders = new Map<string, Order>();
export const units = new Map<string, Unit>();
/** A unit by its name (东片中队); its config id only while the units are not loaded, or for one since deleted. */
export const unitName = (id: string | undefined | null): string => (id ? (units.get(id)?.name ?? id) : '');
/** The center's clock minus ours, so "late" and "ago" use the center's time. */
let skewMs = 0;
export const centerNow = (): number => Date.now() + skewMs;

/** The orders and units as they are now; a role the patrol API refuses simply has none. */
export async function loadPatrol(): Promise<void> {
  const [o, u] = await Promise.all([
    api<{ orders: Order[]; now: string }>('GET', '/api/orders?limit=1000').catch(() => null),
    api<{ units: Unit[]; now: string }>('GET', '/api/units').catch(() => null),
  ]);
  if (o) {
    skewMs = Date.parse(o.now) - Date.now();
    orders.clear();
    for (const x of o.orders) orders.set(x.id, x);
  }
  if (u) {
    units.clear();
    for (const x of u.units) units.set(x.id, x);
  }
}

/** A newer copy of an order from the feed or an answer; an older one arriving late changes nothing. */
export function keepOrder(o: Order): boolean {
  const had = orders.get(o.id);
  if (had && Date.parse(had.updatedAt) > Date.parse(o.updatedAt)) return false;
  // The feed's copy has no transitions: keep the ones the detail fetched.
  orders.set(o.id, had?.transitions && !o.transitions ? { ...o, transitions: had.transitions } : o);
  return true;
}

export function keepUnit(u: Unit): void {
  units.set(u.id, u);
}

/** The order's late stages by the center's clock now. */
export const lateNow = (o: Order): Stage[] => lateStages(o, centerNow());
export const overdueOrders = (): Order[] => [...orders.values()].filter((o) => lateNow(o).length > 0);

/**
 * Keeps the orders and units current from the desktop feed (`order`, `unit`, `unit-removed`; an `escalation` comes
 * with its order changed) and the navigation's count of overdue orders, which also moves with the clock.
 */
export function followPatrol(source: EventSource, badge: HTMLElement, changed: () => void): void {
  const count = () => {
    const n = overdueOrders().length;
    badge.hidden = n === 0;
    badge.textContent = String(n);
  };
  source.addEventListener('order', (m) => {
    if (keepOrder(JSON.parse((m as MessageEvent<string>).data) as Order)) changed();
    count();
  });
  source.addEventListener('unit', (m) => {
    keepUnit(JSON.parse((m as MessageEvent<string>).data) as Unit);
    changed();
  });
  source.addEventListener('unit-removed', (m) => {
    if (units.delete((JSON.parse((m as MessageEvent<string>).data) as { id: string }).id)) changed();
  });
  source.addEventListener(
    'open',
    () =>
      void loadPatrol().then(() => {
        count();
        changed();
      }),
  );
  setInterval(count, 10_000);
}
