import { api } from '../../web/client/api.ts';
import type { Order, Unit } from '../patrol/schema.ts';
import type { TaskBrief } from './brief.ts';
import type { SlotsAnswer } from './slots.ts';
import { data, state } from './state.ts';

/*
 * The page's ties to the center: the live feed of the officer's tasks, the loads that fill the list when it
 * (re)connects, and the session's CSRF token, refreshed then (a page opened from the offline cache carries an old one).
 */

export interface LiveHooks {
  /** An order of his unit arrived or changed; `isNew` when it was not on the phone before. */
  task(order: Order, isNew: boolean): void;
  /** Connected or lost: redraw, and send what waits. */
  changed(): void;
  reconnected(): void;
}

/** After the browser gave up on the feed, the page tries again this much later. */
const RETRY_MS = 5000;
const mine = (o: Order, unitId: string | undefined) => unitId === undefined || o.unit === unitId;
let myUnit: string | undefined;

/** The officer's unit: the one that lists him as a member. */
export async function loadUnit(): Promise<Unit | undefined> {
  const { units } = await api<{ units: Unit[] }>('GET', '/api/units');
  const unit = units.find((u) => u.members.includes(data.user));
  myUnit = unit?.id;
  if (unit) state.onDuty = unit.status !== 'off_duty';
  state.unitKnown = true;
  return unit;
}

export async function loadTasks(): Promise<void> {
  const { orders } = await api<{ orders: Order[] }>('GET', '/api/orders?open=1');
  state.tasks.clear();
  for (const o of orders) if (mine(o, myUnit)) state.tasks.set(o.id, o);
}

/** His unit's patrol slots for today and tomorrow. */
export async function loadSlots(): Promise<SlotsAnswer> {
  return api<SlotsAnswer>('GET', '/api/patrol/slots?days=2');
}

export async function refreshSession(): Promise<void> {
  const s = await api<{ csrf: string }>('GET', '/api/session');
  document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')!.content = s.csrf;
}

export function csrf(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';
}

export async function loadBrief(id: string): Promise<TaskBrief> {
  return api<TaskBrief>('GET', `/api/patrol/orders/${encodeURIComponent(id)}/brief`);
}

export function connectFeed(hooks: LiveHooks): void {
  const source = new EventSource('/api/patrol/feed');
  source.addEventListener('open', () => {
    state.live = true;
    hooks.reconnected();
    hooks.changed();
  });
  source.addEventListener('error', () => {
    state.live = false;
    hooks.changed();
    // A browser gives up for good on an answer that is not the stream (a proxy's 502 while the center restarts).
    if (source.readyState === EventSource.CLOSED) setTimeout(() => connectFeed(hooks), RETRY_MS);
  });
  source.addEventListener('task', (m) => {
    const order = JSON.parse((m as MessageEvent<string>).data) as Order;
    const isNew = !state.tasks.has(order.id);
    if (!mine(order, myUnit)) state.tasks.delete(order.id);
    else state.tasks.set(order.id, order);
    hooks.task(order, isNew && mine(order, myUnit));
  });
  source.addEventListener('unit', (m) => {
    const unit = JSON.parse((m as MessageEvent<string>).data) as Unit;
    if (unit.id !== myUnit) return;
    state.onDuty = unit.status !== 'off_duty';
    hooks.changed();
  });
}
