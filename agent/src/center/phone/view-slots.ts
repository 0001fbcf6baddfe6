import { h } from '../../web/client/dom.ts';
import type { CellBounds } from '../patrol-plan.ts';
import { mapView } from './map-view.ts';
import { fmtDistance } from './place.ts';
import { slotAway, slotsAhead, slotWhen, trendWord } from './slots.ts';
import { state, t } from './state.ts';

/* The unit's patrol slots under the task list: when (today, tomorrow, now), where (the cell, how far and which way), why. */

const decimal = (n: number) => (n >= 10 ? n.toFixed(0) : n.toFixed(1));

/** The slots on the map, opened by a tap (the list opens without loading the map). */
let mapOpen = false;
function slotsMap(cells: CellBounds[], redraw: () => void): HTMLElement {
  const toggle = h(
    'button',
    {
      class: 'chip',
      id: 'slots-map',
      'aria-expanded': mapOpen ? 'true' : 'false',
      onclick: () => {
        mapOpen = !mapOpen;
        redraw();
      },
    },
    mapOpen ? t('slots.hideMap') : t('slots.map'),
  );
  const map = mapOpen ? mapView({ spot: null, me: state.fix, slots: cells, words: { spot: t('map.spot'), me: t('map.me') } }) : null;
  return h('div', { class: 'slots-map' }, toggle, map);
}

export function slotsView(redraw: () => void): HTMLElement | null {
  const plan = state.slots;
  if (!plan) return null;
  const now = Date.now();
  const offset = plan.offsetMinutes ?? 0;
  const ahead = slotsAhead(plan, now).filter((s) => slotWhen(s, offset, now).day <= 1);
  const items = ahead.map((s) => {
    const when = slotWhen(s, offset, now);
    const away = slotAway(s, state.fix);
    const trend = trendWord(s.trend);
    const why = [
      t('slots.expected', { n: decimal(s.expected) }),
      trend ? t(`slots.${trend}`, { x: s.trend === null ? '' : s.trend.toFixed(1) }) : '',
    ].filter(Boolean);
    return h(
      'li',
      {
        class: `slot${when.current ? ' current' : ''}`,
        'data-start': s.start,
        'data-lat': s.centre.lat,
        'data-lon': s.centre.lon,
        'data-area': s.area,
      },
      h(
        'span',
        { class: 'slot-when' },
        `${t(`slots.day${when.day}` as 'slots.day0')} ${when.from}–${when.to}`,
        when.current ? h('span', { class: 'slot-now' }, t('slots.now')) : null,
      ),
      h(
        'span',
        { class: 'slot-where' },
        away
          ? t('slots.away', { dir: t(`dir.${away.dir}`), d: fmtDistance(away.metres) })
          : t('slots.cell', { lat: s.centre.lat.toFixed(4), lon: s.centre.lon.toFixed(4) }),
      ),
      h('span', { class: 'slot-why' }, why.join(' · ')),
    );
  });
  const empty = plan.reason === 'no-plan' ? t('slots.noPlan') : plan.note !== undefined ? t('slots.noUnit') : t('slots.none');
  return h(
    'section',
    { class: 'slots', id: 'slots', 'data-count': items.length },
    h('h2', {}, t('slots.title')),
    items.length
      ? slotsMap(
          ahead.map((s) => s.bounds),
          redraw,
        )
      : null,
    items.length ? h('ol', {}, ...items) : h('p', { class: 'empty-slots' }, empty),
  );
}
