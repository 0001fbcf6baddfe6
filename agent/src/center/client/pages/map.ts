import { h } from '../../../web/client/dom.ts';
import { type CenterMap, createMap, fitTo, type LonLat, mapOrNotice } from '../../../web/client/map/basemap.ts';
import { type MapPoint, type PointLayer, pointLayer } from '../../../web/client/map/markers.ts';
import type { Order, Unit } from '../../patrol/schema.ts';
import type { PresentedEvent } from '../../wire.ts';
import { loadCategories } from '../desk/catalogue.ts';
import { lateNow, orders, unitName, units } from '../desk/live.ts';
import { categoryText } from '../desk/show.ts';
import { wr } from '../desk/words.ts';
import { dwell, isOpen, lifecycle, seenAt, seenAtIds } from '../format.ts';
import { setAreas } from '../map/layers.ts';
import { showPlan } from '../map/plan-layers.ts';
import { mt, positionAge } from '../map/words.ts';
import { boxes, eventQuery, events } from '../state.ts';
import { t } from '../words.ts';
import type { PageView } from './view.ts';

/*
 * The dispatch map: the basemap the center serves (a tile server, a tile file, or plain paper), the responsibility
 * areas, the patrol units where their phones last said (status colour, faded when the position is old), the open
 * work orders and the open alerts; a click shows the details with a link to the event or the order.
 */

type Kind = 'event' | 'order' | 'unit' | 'box';
type Pick = (kind: Kind, id: string) => () => void;
type Layers = Record<Kind, PointLayer>;

let selected: { kind: Kind; id: string } | null = null;
let view: { root: HTMLElement; mapEl: HTMLElement; panel: HTMLElement; legend: HTMLElement } | null = null;
let shown: { cm: CenterMap; layers: Layers; framed: boolean } | null = null;
let opening = false;

export const mapPage: PageView = {
  render: (main, redraw) => {
    view ??= skeleton();
    if (!main.contains(view.root)) main.replaceChildren(view.root);
    if (!shown && !opening && mapOrNotice(view.mapEl)) {
      opening = true;
      const el = view.mapEl;
      open(el).then(redraw, (err: unknown) =>
        el.replaceChildren(h('p', { class: 'error' }, mt('map.loadFailed', { why: String((err as Error).message ?? err) }))),
      );
    }
    if (shown) draw(shown, redraw);
    view.panel.replaceChildren(...details());
  },
  load: loadCategories,
  followsPatrol: true,
  followsBoxes: true,
  // Position ages move on their own.
  ticks: true,
};

function skeleton() {
  const mapEl = h('div', { class: 'glmap', id: 'map' });
  const panel = h('aside', { class: 'map-panel', id: 'map-panel' });
  const legend = h('p', { class: 'muted legend', id: 'map-legend' });
  return { root: h('div', { class: 'map-page' }, h('div', { class: 'map-main' }, mapEl, legend), panel), mapEl, panel, legend };
}

async function open(el: HTMLElement): Promise<void> {
  const cm = await createMap(el);
  await cm.ready;
  // Areas under everything; then boxes, units, orders and alerts, each above the one before.
  setAreas(cm, []);
  // The risk heat and today's plan go under the areas when they come (a first fit may take a while); their switch goes
  // below the map, so that the map does not move under the dispatcher's pointer when it comes.
  void showPlan(cm).then((toggle) => toggle && el.parentElement?.append(toggle));
  const layers = {
    box: pointLayer(cm, 'box'),
    unit: pointLayer(cm, 'unit'),
    order: pointLayer(cm, 'order'),
    event: pointLayer(cm, 'event'),
  };
  shown = { cm, layers, framed: false };
}

/** Where the things on the map are, to frame them when the config does not say where the map opens. */
function everything(): LonLat[] {
  return [
    ...[...events.values()].filter(isOpen).map((e) => e.map),
    ...[...boxes.values()].flatMap((b) => (b.map ? [b.map] : [])),
    ...openOrders().map((o): LonLat => [o.place.lon, o.place.lat]),
    ...[...units.values()].flatMap((u): LonLat[] => (u.position ? [[u.position.lon, u.position.lat]] : [])),
  ];
}

function draw(s: NonNullable<typeof shown>, redraw: () => void): void {
  const pick: Pick = (kind, id) => () => {
    selected = { kind, id };
    redraw();
  };
  // An alert already in an open order is drawn as that order.
  const ordered = new Set(openOrders().flatMap((o) => o.events.map(eventId)));
  const open = [...events.values()].filter((e) => isOpen(e) && !ordered.has(eventId(e)));
  setAreas(
    s.cm,
    [...units.values()].filter((u) => u.area.length).map((u) => ({ id: u.id, name: u.name, rings: u.area })),
  );
  const mark = (kind: Kind, points: MapPoint[]) =>
    s.layers[kind].set(
      points.map((p) => (selected?.kind === kind && selected.id === p.id ? { ...p, className: `${p.className} selected` } : p)),
    );
  mark('box', boxPoints(pick));
  mark('unit', unitPoints(pick));
  mark('order', orderPoints(pick));
  mark(
    'event',
    open.map((e) => eventPoint(e, pick)),
  );
  if (!s.framed && !s.cm.meta['jifang:view']) {
    const all = everything();
    if (all.length) fitTo(s.cm, all);
    s.framed = all.length > 0;
  }
  view!.legend.textContent = [
    s.cm.meta['jifang:basemap'] === 'none' ? t('map.offline') : '',
    `${open.length} ${t('map.events')}`,
    `${openOrders().length} ${t('map.orders')}`,
    `${[...units.values()].filter((u) => u.position).length} ${t('map.units')}`,
  ]
    .filter(Boolean)
    .join(' · ');
}

const eventId = (e: { site: string; id: string }) => `${e.site}/${e.id}`;

function eventPoint(e: PresentedEvent, pick: Pick): MapPoint {
  return {
    id: eventId(e),
    at: e.map,
    className: `op-${e.operatorAction ?? 'new'}`,
    title: `${categoryText(e.type)} · ${e.address ?? ''} · ${seenAt(e)} · ${dwell(e.dwellSeconds)}`,
    attrs: { 'data-event-id': e.id, 'data-site': e.site },
    onClick: pick('event', eventId(e)),
  };
}

function boxPoints(pick: Pick): MapPoint[] {
  return [...boxes.values()].flatMap((b) =>
    b.map
      ? [{ id: b.site, at: b.map, className: b.online ? 'online' : 'offline', label: b.site, title: b.site, onClick: pick('box', b.site) }]
      : [],
  );
}

function unitPoints(pick: Pick): MapPoint[] {
  return [...units.values()].flatMap((u) => {
    if (!u.position) return [];
    const age = positionAge(u.position.at);
    return [
      {
        id: u.id,
        at: [u.position.lon, u.position.lat] as LonLat,
        className: `status-${u.status}${age.stale ? ' stale' : ''}`,
        label: u.name,
        title: `${u.name} · ${wr(`status.${u.status}`)} · ${age.text}`,
        attrs: { 'data-unit-id': u.id },
        onClick: pick('unit', u.id),
      },
    ];
  });
}

const openOrders = () => [...orders.values()].filter((o) => o.state !== 'closed');

function orderPoints(pick: Pick): MapPoint[] {
  return openOrders().map((o) => ({
    id: o.id,
    at: [o.place.lon, o.place.lat] as LonLat,
    className: `state-${o.state}${lateNow(o).length ? ' overdue' : ''}`,
    label: categoryText(o.category),
    title: `${o.id} · ${wr(`state.${o.state}`)} · ${o.place.address ?? ''}`,
    attrs: { 'data-order-id': o.id },
    onClick: pick('order', o.id),
  }));
}

/** The side panel: what was clicked, with a link to where it is handled. */
function details(): HTMLElement[] {
  const head = h('h2', {}, t('map.details'));
  if (!selected) return [head, h('p', { class: 'muted' }, t('map.pick'))];
  const { kind, id } = selected;
  const e = kind === 'event' ? events.get(id) : undefined;
  if (e) return [head, eventDetails(e)];
  const o = kind === 'order' ? orders.get(id) : undefined;
  if (o) return [head, orderDetails(o)];
  const u = kind === 'unit' ? units.get(id) : undefined;
  if (u) return [head, unitDetails(u)];
  const b = kind === 'box' ? boxes.get(id) : undefined;
  if (b)
    return [
      head,
      h('div', { class: 'detail box-detail' }, h('strong', {}, b.site), ' ', b.online ? t('boxes.online') : t('boxes.offline')),
    ];
  return [head, h('p', { class: 'muted' }, t('map.gone'))];
}

function eventDetails(e: PresentedEvent): HTMLElement {
  return h(
    'div',
    { class: 'detail event-detail', 'data-event-id': e.id },
    h('strong', {}, categoryText(e.type)),
    ' ',
    lifecycle(e),
    h('div', { class: 'muted', title: seenAtIds(e) }, `${e.address ?? ''} · ${seenAt(e)} · ${dwell(e.dwellSeconds)}`),
    h('img', { class: 'thumb', src: e.thumbnail, alt: '' }),
    h('a', { href: `/?${eventQuery(e)}`, class: 'open-link' }, t('map.openEvent')),
  );
}

function orderDetails(o: Order): HTMLElement {
  const late = lateNow(o);
  const unit = o.unit ? unitName(o.unit) : t('map.noUnit');
  return h(
    'div',
    { class: `detail order-detail${late.length ? ' late' : ''}`, 'data-order-id': o.id },
    h('strong', {}, categoryText(o.category)),
    ' ',
    h('span', { class: `state order-${o.state}` }, wr(`state.${o.state}`)),
    h('div', { class: 'muted' }, `${o.id} · ${o.place.address ?? ''}`),
    h('div', {}, unit),
    late.length ? h('div', { class: 'warn' }, late.map((s) => wr(`stage.${s}`)).join(', ')) : null,
    h('a', { href: `/orders?order=${encodeURIComponent(o.id)}`, class: 'open-link' }, t('map.openOrder')),
  );
}

function unitDetails(u: Unit): HTMLElement {
  const age = positionAge(u.position?.at);
  return h(
    'div',
    { class: 'detail unit-detail', 'data-unit-id': u.id },
    h('strong', {}, u.name),
    ' ',
    h('span', { class: `unit-status status-${u.status}` }, wr(`status.${u.status}`)),
    h(
      'div',
      { class: 'muted' },
      `${t('map.position')}: ${age.text}${u.position?.accuracyM ? ` (±${Math.round(u.position.accuracyM)} m)` : ''}`,
    ),
    h('div', {}, `${t('map.load')}: ${u.load}`),
    u.members.length ? h('div', { class: 'muted' }, u.members.join(', ')) : null,
  );
}
