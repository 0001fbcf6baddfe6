import { h } from '../../../web/client/dom.ts';
import type { PresentedEvent } from '../../wire.ts';
import { loadCategories } from '../desk/catalogue.ts';
import { mergeBar, pickBox } from '../desk/open-order.ts';
import { categoryText } from '../desk/show.ts';
import { dwell, isOpen, lifecycle, time, urgency } from '../format.ts';
import { eventQuery, events, selection } from '../state.ts';
import { t, tr } from '../words.ts';
import { detailPanel } from './event-detail.ts';
import type { PageView } from './view.ts';

type Ev = PresentedEvent;

/** The filters as the user set them; they survive the redraws live updates cause. */
const filters = { site: '', type: '', state: '', since: '', open: true };
function filtered(): Ev[] {
  const since = filters.since ? Date.parse(filters.since) : NaN;
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
function queueTable(redraw: () => void): HTMLElement {
  const rows = filtered();
  if (!rows.length) return h('p', { class: 'muted', id: 'queue-empty' }, t('queue.empty'));
  const body = h('tbody');
  for (const e of rows) {
    const row = h(
      'tr',
      { 'data-event-id': e.id, class: e.id === selection.event && (selection.site ?? e.site) === e.site ? 'selected' : undefined },
      h('td', { class: 'pick' }, pickBox(e, redraw)),
      h('td', {}, h('img', { class: 'thumb', src: e.thumbnail, alt: '', loading: 'lazy' })),
      h(
        'td',
        {},
        h('div', { class: 'type' }, categoryText(e.type)),
        e.categoryCode || e.categoryName
          ? h('div', { class: 'muted category' }, [e.categoryCode, e.categoryName].filter(Boolean).join(' '))
          : null,
      ),
      h(
        'td',
        {},
        h('div', {}, e.address ?? `${e.lat.toFixed(5)}, ${e.lon.toFixed(5)}`),
        h('div', { class: 'muted' }, `${e.site} / ${e.camera} / ${e.zone}`),
      ),
      h('td', { class: 'dwell' }, dwell(e.dwellSeconds)),
      h('td', {}, lifecycle(e)),
      h('td', { class: 'muted' }, time(e.startedAt)),
    );
    row.addEventListener('click', () => {
      Object.assign(selection, { event: e.id, site: e.site });
      history.replaceState(null, '', `?${eventQuery(e)}`);
      redraw();
    });
    body.append(row);
  }
  const head = h(
    'tr',
    {},
    h('th'),
    ...(['col.picture', 'col.type', 'col.place', 'col.dwell', 'col.state', 'col.started'] as const).map((k) => h('th', {}, t(k))),
  );
  return h('table', { class: 'queue', id: 'queue' }, h('thead', {}, head), body);
}
const detail = h('section', { class: 'detail card', id: 'detail' });
const queueList = h('section', { class: 'list' });

/** The alert queue: the events most urgent first, filtered, and the chosen one's detail with the actions on it. */
export const queuePage: PageView = {
  render(main, redraw) {
    if (main.firstChild !== queueList) main.replaceChildren(queueList, detail);
    queueList.replaceChildren(filterBar(redraw), ...mergeBar(), queueTable(redraw));
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
