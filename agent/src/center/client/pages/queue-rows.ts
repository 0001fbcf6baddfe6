import { h } from '../../../web/client/dom.ts';
import type { PresentedEvent } from '../../wire.ts';
import { isUnread, markRead } from '../alerting.ts';
import { pickBox } from '../desk/open-order.ts';
import { categoryText } from '../desk/show.ts';
import { dwell, lifecycle, seenAt, seenAtIds, time } from '../format.ts';
import { eventKey, eventQuery, selection } from '../state.ts';
import { t } from '../words.ts';

type Ev = PresentedEvent;

/** Opens an event in the detail panel (a click, Enter, a notification): selected, in the address, read. */
export function openEvent(e: Ev, redraw: () => void): void {
  Object.assign(selection, { event: e.id, site: e.site });
  history.replaceState(null, '', `?${eventQuery(e)}`);
  markRead(e);
  redraw();
}

/** A group's lead row says how many alerts it stands for, with a button that shows or hides them. */
export interface RowGroup {
  count: number;
  expanded: boolean;
  toggle: () => void;
}

function typeCell(e: Ev, group?: RowGroup): HTMLElement {
  const toggle = group
    ? h(
        'button',
        {
          type: 'button',
          class: 'group-count',
          'aria-expanded': String(group.expanded),
          title: t(group.expanded ? 'queue.collapse' : 'queue.expand'),
        },
        t('queue.count', { n: group.count }),
      )
    : null;
  toggle?.addEventListener('click', (ev) => {
    ev.stopPropagation();
    group?.toggle();
  });
  return h(
    'td',
    {},
    h('div', { class: 'type' }, categoryText(e.type), toggle),
    e.categoryCode || e.categoryName
      ? h('div', { class: 'muted category' }, [e.categoryCode, e.categoryName].filter(Boolean).join(' '))
      : null,
    e.plate ? h('div', { class: 'plate' }, e.plate) : null,
  );
}

/** One event as a queue row: focusable, opened by a click or Enter. */
export function eventRow(e: Ev, redraw: () => void, o: { group?: RowGroup; member?: boolean } = {}): HTMLTableRowElement {
  const selected = e.id === selection.event && (selection.site ?? e.site) === e.site;
  const classes = [selected ? 'selected' : '', isUnread(e) ? 'unread' : '', o.member ? 'member' : '', o.group ? 'group' : ''];
  const row = h(
    'tr',
    {
      'data-event-id': e.id,
      'data-key': eventKey(e),
      'data-count': o.group?.count,
      class: classes.filter(Boolean).join(' ') || undefined,
      tabindex: 0,
      'aria-selected': String(selected),
    },
    h('td', { class: 'pick' }, pickBox(e, redraw)),
    h('td', { class: 'pic' }, h('img', { class: 'thumb', src: e.thumbnail, alt: '', loading: 'lazy' })),
    typeCell(e, o.group),
    h(
      'td',
      { class: 'place' },
      h('div', {}, e.address ?? `${e.lat.toFixed(5)}, ${e.lon.toFixed(5)}`),
      h('div', { class: 'muted seen-at', title: seenAtIds(e) }, seenAt(e)),
    ),
    h('td', { class: 'dwell' }, dwell(e.dwellSeconds)),
    h('td', {}, lifecycle(e)),
    h('td', { class: 'muted started' }, time(e.startedAt)),
  );
  row.addEventListener('click', () => openEvent(e, redraw));
  return row;
}

/** The table around rows: ↑/↓ move between rows, Enter opens one, → and ← show and hide a group's alerts. */
export function eventTable(id: string, rows: HTMLTableRowElement[]): HTMLTableElement {
  const head = h(
    'tr',
    {},
    h('th', { class: 'pick' }),
    ...(['col.picture', 'col.type', 'col.place', 'col.dwell', 'col.state', 'col.started'] as const).map((k) =>
      // `col-…`: a heading named `state` would be drawn as a state's badge.
      h('th', { class: `col-${k.slice(4)}` }, t(k)),
    ),
  );
  const body = h('tbody', {}, ...rows);
  body.addEventListener('keydown', (ev) => {
    const row = (ev.target as HTMLElement).closest('tr');
    if (!row || ev.target !== row) return;
    const step = { ArrowDown: row.nextElementSibling, ArrowUp: row.previousElementSibling }[ev.key];
    if (step instanceof HTMLElement) {
      ev.preventDefault();
      step.focus();
    } else if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      row.click();
    } else if (ev.key === 'ArrowRight' || ev.key === 'ArrowLeft') {
      const toggle = row.querySelector<HTMLButtonElement>('button.group-count');
      if (toggle && (toggle.getAttribute('aria-expanded') === 'true') === (ev.key === 'ArrowLeft')) toggle.click();
    }
  });
  return h('table', { class: 'queue alerts', id, 'aria-label': t('queue.keys') }, h('thead', {}, head), body);
}

/** After a redraw, the row that had the keyboard has it again (live updates redraw the table under the operator). */
export function keepFocus(holder: HTMLElement, draw: () => void): void {
  const had = document.activeElement instanceof HTMLTableRowElement && holder.contains(document.activeElement);
  const key = had ? (document.activeElement as HTMLElement).dataset.key : undefined;
  draw();
  if (key) holder.querySelector<HTMLElement>(`tr[data-key="${CSS.escape(key)}"]`)?.focus();
}
