import { ApiError, api } from '../../../web/client/api.ts';
import { h } from '../../../web/client/dom.ts';
import { OPEN_ROLES } from '../../patrol/access.ts';
import type { EventRef, Order } from '../../patrol/schema.ts';
import type { PresentedEvent } from '../../wire.ts';
import { data, eventKey } from '../state.ts';
import { keepOrder, orders } from './live.ts';
import { stateTag } from './show.ts';
import { w } from './words.ts';

/* Opening work orders from the alert pages: one alert from its detail, several of one spot ticked in the queue. */

/** Whether this user may open orders at all (the officer's role may not; he has no desktop pages anyway). */
export const mayOpen = (OPEN_ROLES as readonly string[]).includes(data.role);

/** The alerts ticked in the queue to merge, by site/id; they survive redraws. */
const picks = new Map<string, EventRef>();

const ordersOf = (e: EventRef): Order[] => [...orders.values()].filter((o) => o.events.some((x) => x.site === e.site && x.id === e.id));

async function open(refs: EventRef[], error: HTMLElement): Promise<void> {
  try {
    // An alert near an open order of its category joins that order: the answer is the order either way.
    const { order } = await api<{ order: Order }>('POST', '/api/orders', { events: refs });
    keepOrder(order);
    location.href = `/orders?order=${encodeURIComponent(order.id)}`;
  } catch (err) {
    error.textContent = w('open.failed', { error: err instanceof ApiError ? err.message : String(err) });
  }
}

/** On an alert's detail: the orders that already hold it (links), and "open work order" when none is still open. */
export function orderBox(e: PresentedEvent): HTMLElement {
  const linked = ordersOf(e);
  const error = h('span', { class: 'error', role: 'alert' });
  const button = h('button', { type: 'button', id: 'open-order' }, w('open.button'));
  button.addEventListener('click', () => {
    button.disabled = true;
    void open([{ site: e.site, id: e.id }], error).finally(() => (button.disabled = false));
  });
  return h(
    'div',
    { class: 'order-box', id: 'order-box' },
    ...linked.map((o) =>
      h(
        'a',
        { href: `/orders?order=${encodeURIComponent(o.id)}`, class: 'order-link', 'data-order-link': o.id },
        w('open.existing'),
        `${o.id} `,
        stateTag(o.state),
      ),
    ),
    linked.some((o) => o.state !== 'closed') || !mayOpen ? null : button,
    error,
  );
}

/** The tick box of a queue row: picks the alert for a merged order (a click on it does not open the alert). */
export function pickBox(e: PresentedEvent, redraw: () => void): HTMLElement | null {
  if (!mayOpen) return null;
  const c = h('input', { type: 'checkbox', class: 'merge-pick', checked: picks.has(eventKey(e)), 'aria-label': w('open.select') });
  c.addEventListener('click', (ev) => ev.stopPropagation());
  c.addEventListener('change', () => {
    if (c.checked) picks.set(eventKey(e), { site: e.site, id: e.id });
    else picks.delete(eventKey(e));
    redraw();
  });
  return c;
}

/** Above the queue: the hint, or with two or more ticked the button opening one order from them. */
export function mergeBar(): HTMLElement[] {
  if (!mayOpen) return [];
  const error = h('span', { class: 'error', role: 'alert' });
  if (picks.size < 2) return [h('p', { class: 'muted merge-bar', id: 'merge-bar' }, w('open.pickHint'))];
  const button = h('button', { type: 'button', id: 'merge-order' }, w('open.merge', { n: picks.size }));
  button.addEventListener('click', () => {
    button.disabled = true;
    void open([...picks.values()], error).finally(() => (button.disabled = false));
  });
  return [h('div', { class: 'merge-bar', id: 'merge-bar' }, button, error)];
}
