import { h } from '../../../web/client/dom.ts';
import type { PresentedEvent } from '../../wire.ts';
import { alertControls } from '../alerting.ts';
import { loadCategories } from '../desk/catalogue.ts';
import { mergeBar } from '../desk/open-order.ts';
import { categoryText } from '../desk/show.ts';
import { cityInput, isOpen, urgency } from '../format.ts';
import { groupEvents } from '../groups.ts';
import { events } from '../state.ts';
import { t, tr } from '../words.ts';
import { detailPanel } from './event-detail.ts';
import { eventRow, eventTable, keepFocus } from './queue-rows.ts';
import { searchForm, searching, searchResults } from './queue-search.ts';
import type { PageView } from './view.ts';

type Ev = PresentedEvent;

/** The filters as the user set them; they survive the redraws live updates cause. */
const filters = { site: '', type: '', state: '', since: '', open: true };
function filtered(): Ev[] {
  const since = filters.since ? cityInput(filters.since) : NaN;
  return [...events.values()]
    .filter(
      (e) =>
        (!filters.open || isOpen(e)) &&
        (!filters.site || e.site === filters.site) &&
        (!filters.type || e.type === filters.type) &&
        (!filters.state || e.state === filters.state) &&
        (Number.isNaN(since) || e.startedAt >= since),
    )
    .sort(urgency);
}
function options(values: string[], current: string, label: (v: string) => string = (v) => v): HTMLOptionElement[] {
  return [
    h('option', { value: '' }, t('filter.all')),
    ...[...new Set(values)].sort().map((v) => h('option', { value: v, selected: v === current }, label(v))),
  ];
}
function filterBar(redraw: () => void): HTMLElement {
  const all = [...events.values()];
  const pick = (name: 'site' | 'type' | 'state', values: string[], label?: (v: string) => string) => {
    const s = h('select', { id: `filter-${name}` }, ...options(values, filters[name], label));
    s.addEventListener('change', () => {
      filters[name] = s.value;
      redraw();
    });
    return h('label', {}, t(`filter.${name === 'site' ? 'box' : name}`), s);
  };
  const since = h('input', { type: 'datetime-local', id: 'filter-since', value: filters.since });
  since.addEventListener('change', () => {
    filters.since = since.value;
    redraw();
  });
  const open = h('input', { type: 'checkbox', id: 'filter-open', checked: filters.open });
  open.addEventListener('change', () => {
    filters.open = open.checked;
    redraw();
  });
  return h(
    'div',
    { class: 'filters' },
    pick(
      'site',
      all.map((e) => e.site),
    ),
    pick(
      'type',
      all.map((e) => e.type),
      categoryText,
    ),
    pick('state', ['started', 'updated', 'ended', 'cleared'], (v) => tr(`state.${v}`)),
    h('label', {}, t('filter.since'), since),
    h('label', { class: 'check' }, open, t('filter.open')),
  );
}
/** Groups the operator opened (by rule and place): their alerts are listed under the group's row. */
const expanded = new Set<string>();

function queueTable(redraw: () => void): HTMLElement {
  const rows = filtered();
  if (!rows.length) return h('p', { class: 'muted', id: 'queue-empty' }, t('queue.empty'));
  const trs: HTMLTableRowElement[] = [];
  for (const g of groupEvents(rows)) {
    const open = expanded.has(g.key);
    const toggle = () => {
      if (!expanded.delete(g.key)) expanded.add(g.key);
      redraw();
    };
    const count = g.members.length;
    trs.push(eventRow(g.lead, redraw, count > 1 ? { group: { count, expanded: open, toggle } } : {}));
    if (open) for (const m of g.members.slice(1)) trs.push(eventRow(m, redraw, { member: true }));
  }
  return eventTable('queue', trs);
}
const detail = h('section', { class: 'detail card', id: 'detail' });
/** The search form and the alert controls stay in place (focus and typing survive live updates); the rows redraw. */
const toolbar = h('div', { class: 'toolbar' });
const controls = h('div');
const rows = h('div');
const queueList = h('section', { class: 'list' }, toolbar, rows);

/**
 * The alert queue: the events most urgent first, filtered, grouped by rule and place, or the archive searched on the
 * server; and the chosen one's detail with the actions on it.
 */
export const queuePage: PageView = {
  render(main, redraw) {
    if (main.firstChild !== queueList) main.replaceChildren(queueList, detail);
    if (!toolbar.firstChild) toolbar.append(searchForm(redraw), controls);
    controls.replaceChildren(alertControls(redraw));
    keepFocus(rows, () =>
      rows.replaceChildren(...(searching() ? searchResults(redraw) : [filterBar(redraw), ...mergeBar(), queueTable(redraw)])),
    );
    // Not while the user is typing a note or choosing a unit: a live update must not take the field away.
    const typing =
      document.activeElement instanceof HTMLElement &&
      detail.contains(document.activeElement) &&
      document.activeElement.matches('input, select, textarea');
    if (!typing) void detailPanel(detail);
  },
  load: loadCategories,
  followsPatrol: true,
};
