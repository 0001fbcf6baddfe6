import type { PresentedEvent } from '../../wire.ts';
import { el, t, tr } from '../dom.ts';
import { dwell, isOpen, lifecycle, time, urgency } from '../format.ts';
import { events, selection } from '../state.ts';
import { detailPanel } from './event-detail.ts';

type Ev = PresentedEvent;

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
    el('option', { value: '' }, t('filter.all')),
    ...[...new Set(values)].sort().map((v) => el('option', { value: v, selected: v === current }, label(v))),
  ];
}
function filterBar(render: () => void): HTMLElement {
  const all = [...events.values()];
  const pick = (name: 'site' | 'type' | 'state', values: string[], label?: (v: string) => string) => {
    const s = el('select', { id: `filter-${name}` }, ...options(values, filters[name], label));
    s.addEventListener('change', () => {
      filters[name] = s.value;
      render();
    });
    return el('label', {}, t(`filter.${name === 'site' ? 'box' : name}`), s);
  };
  const since = el('input', { type: 'datetime-local', id: 'filter-since', value: filters.since });
  since.addEventListener('change', () => {
    filters.since = since.value;
    render();
  });
  const open = el('input', { type: 'checkbox', id: 'filter-open', checked: filters.open });
  open.addEventListener('change', () => {
    filters.open = open.checked;
    render();
  });
  return el(
    'div',
    { class: 'filters' },
    pick(
      'site',
      all.map((e) => e.site),
    ),
    pick(
      'type',
      all.map((e) => e.type),
    ),
    pick('state', ['started', 'updated', 'ended', 'cleared'], (v) => tr(`state.${v}`)),
    el('label', {}, t('filter.since'), since),
    el('label', { class: 'check' }, open, t('filter.open')),
  );
}
function queueTable(render: () => void): HTMLElement {
  const rows = filtered();
  if (!rows.length) return el('p', { class: 'muted', id: 'queue-empty' }, t('queue.empty'));
  const body = el('tbody');
  for (const e of rows) {
    const row = el(
      'tr',
      { 'data-event-id': e.id, class: e.id === selection.event ? 'selected' : undefined },
      el('td', {}, el('img', { class: 'thumb', src: e.thumbnail, alt: '', loading: 'lazy' })),
      el(
        'td',
        {},
        el('div', { class: 'type' }, e.type),
        e.categoryCode || e.categoryName
          ? el('div', { class: 'muted category' }, [e.categoryCode, e.categoryName].filter(Boolean).join(' '))
          : null,
      ),
      el(
        'td',
        {},
        el('div', {}, e.address ?? `${e.lat.toFixed(5)}, ${e.lon.toFixed(5)}`),
        el('div', { class: 'muted' }, `${e.site} / ${e.camera} / ${e.zone}`),
      ),
      el('td', { class: 'dwell' }, dwell(e.dwellSeconds)),
      el('td', {}, lifecycle(e)),
      el('td', { class: 'muted' }, time(e.startedAt)),
    );
    row.addEventListener('click', () => {
      selection.event = e.id;
      history.replaceState(null, '', `?event=${encodeURIComponent(e.id)}`);
      render();
    });
    body.append(row);
  }
  const head = el(
    'tr',
    {},
    ...(['col.picture', 'col.type', 'col.place', 'col.dwell', 'col.state', 'col.started'] as const).map((k) => el('th', {}, t(k))),
  );
  return el('table', { class: 'queue', id: 'queue' }, el('thead', {}, head), body);
}
const detail = el('section', { class: 'detail card', id: 'detail' });
const queueList = el('section', { class: 'list' });

export function renderQueue(main: HTMLElement, render: () => void): void {
  if (main.firstChild !== queueList) main.replaceChildren(queueList, detail);
  queueList.replaceChildren(filterBar(render), queueTable(render));
  // Not while the user is typing a note or choosing a unit: a live update must not take the field away.
  const typing =
    document.activeElement instanceof HTMLElement &&
    detail.contains(document.activeElement) &&
    document.activeElement.matches('input, select, textarea');
  if (!typing) void detailPanel(detail);
}
