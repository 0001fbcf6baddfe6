import { h } from '../../../web/client/dom.ts';
import type { Order } from '../../patrol/schema.ts';
import { loadCategories } from '../desk/catalogue.ts';
import { lateNow, orders, unitName } from '../desk/live.ts';
import { mayOpen } from '../desk/open-order.ts';
import { orderPanel } from '../desk/order-detail.ts';
import { manualForm } from '../desk/order-new.ts';
import { categoryText, lateTags, placeText, stateTag, timeText } from '../desk/show.ts';
import { w, wr } from '../desk/words.ts';
import type { PageView } from './view.ts';

const STATES = ['filed', 'warning', 'dispatched', 'accepted', 'on_scene', 'handled', 'closed'] as const;

/** The filters and the chosen order; they survive redraws, and `?order=` opens one (links from other pages). */
const query = new URLSearchParams(location.search);
const view = { state: 'open', search: '', overdue: false, order: query.get('order'), creating: false };

/** Work orders (工单): late ones first, then newest; the chosen one's detail or the hotline form beside them. */
export const ordersPage: PageView = {
  render(main, redraw) {
    if (main.firstChild !== list) main.replaceChildren(list, side);
    bar ??= filterBar(redraw);
    list.replaceChildren(bar, table(redraw));
    if (view.creating) {
      if (!side.querySelector('#manual-form'))
        manualForm(
          side,
          (id) => select(id, redraw),
          () => ((view.creating = false), redraw()),
        );
      return;
    }
    const typing =
      document.activeElement instanceof HTMLElement &&
      side.contains(document.activeElement) &&
      document.activeElement.matches('input, select, textarea');
    if (!typing) void orderPanel(side, view.order);
  },
  load: loadCategories,
  followsPatrol: true,
  ticks: true,
};

const list = h('section', { class: 'list' });
/** Built once: typing in the search field must not lose the field to a redraw. */
let bar: HTMLElement | undefined;
const side = h('section', { class: 'detail card', id: 'order-detail' });

function select(id: string, redraw: () => void): void {
  Object.assign(view, { order: id, creating: false });
  history.replaceState(null, '', `/orders?order=${encodeURIComponent(id)}`);
  redraw();
}

function matches(o: Order): boolean {
  const state = view.state === 'open' ? o.state !== 'closed' : !view.state || o.state === view.state;
  if (!state || (view.overdue && !lateNow(o).length)) return false;
  const q = view.search.trim().toLowerCase();
  if (!q) return true;
  return [o.id, o.place.address ?? '', categoryText(o.category), o.category, unitName(o.unit), o.note ?? ''].some((s) =>
    s.toLowerCase().includes(q),
  );
}

function filterBar(redraw: () => void): HTMLElement {
  const state = h(
    'select',
    { id: 'orders-state' },
    h('option', { value: 'open', selected: view.state === 'open' }, w('orders.open')),
    h('option', { value: '', selected: view.state === '' }, w('orders.all')),
    ...STATES.map((s) => h('option', { value: s, selected: view.state === s }, wr(`state.${s}`))),
  );
  state.addEventListener('change', () => ((view.state = state.value), redraw()));
  const search = h('input', { type: 'search', id: 'orders-search', value: view.search, placeholder: w('orders.search') });
  search.addEventListener('input', () => {
    view.search = search.value;
    redraw();
  });
  const overdue = h('input', { type: 'checkbox', id: 'orders-overdue', checked: view.overdue });
  overdue.addEventListener('change', () => ((view.overdue = overdue.checked), redraw()));
  const create = h('button', { id: 'order-new', type: 'button' }, w('orders.new'));
  create.addEventListener('click', () => {
    view.creating = true;
    side.replaceChildren();
    redraw();
  });
  return h(
    'div',
    { class: 'filters' },
    h('label', {}, w('orders.state'), state),
    h('label', { class: 'grow' }, w('orders.search'), search),
    h('label', { class: 'check' }, overdue, w('orders.overdueOnly')),
    mayOpen ? create : null,
  );
}

/** Late first (longest late on top), then the newest; a row opens by click or Enter. */
function table(redraw: () => void): HTMLElement {
  const rows = [...orders.values()].filter(matches).sort((a, b) => {
    const la = lateNow(a).length ? 0 : 1;
    const lb = lateNow(b).length ? 0 : 1;
    return la - lb || Date.parse(b.openedAt) - Date.parse(a.openedAt);
  });
  if (!rows.length) return h('p', { class: 'muted', id: 'orders-empty' }, w('orders.empty'));
  const head = ['col.number', 'col.category', 'col.place', 'col.state', 'col.unit', 'col.opened', 'col.late'] as const;
  const body = h('tbody');
  for (const o of rows) {
    const late = lateTags(o, true);
    const row = h(
      'tr',
      {
        'data-order-id': o.id,
        tabindex: 0,
        class: [o.id === view.order ? 'selected' : '', late.length ? 'late' : ''].join(' ').trim() || undefined,
      },
      h('td', { class: 'muted' }, o.id.slice(3)),
      h('td', {}, categoryText(o.category)),
      h('td', {}, placeText(o)),
      h('td', {}, stateTag(o.state)),
      h('td', {}, unitName(o.unit)),
      h('td', { class: 'muted' }, timeText(o.openedAt)),
      h('td', { class: 'late-cell' }, ...late),
    );
    row.addEventListener('click', () => select(o.id, redraw));
    row.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') select(o.id, redraw);
    });
    body.append(row);
  }
  return h('table', { class: 'queue orders', id: 'orders' }, h('thead', {}, h('tr', {}, ...head.map((k) => h('th', {}, w(k))))), body);
}
