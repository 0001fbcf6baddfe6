import { api } from '../../../web/client/api.ts';
import { h, svg } from '../../../web/client/dom.ts';
import type { PresentedEvent } from '../../wire.ts';
import { dwell, isOpen } from '../format.ts';
import { boxes, data, eventQuery, events } from '../state.ts';
import { t } from '../words.ts';
import type { PageView } from './view.ts';

type LonLat = [number, number];

const W = 1000;
const H = 620;
const PAD = 60;

/** The city's streets (GeoJSON) drawn under the points, fetched once when the map opens. */
let streets: { features: { geometry: { type: string; coordinates: unknown } }[] } | null = null;

/** The dispatch map: open events and the boxes where they stand, on the city's tiles or offline paper. */
export const mapPage: PageView = {
  render: (main) => main.replaceChildren(mapView()),
  load: async () => {
    if (data.map.streets && !streets) streets = await api('GET', '/api/streets');
  },
  followsBoxes: true,
};

/** How the drawn area maps to the earth: fitted around the points, equal metres across and down. */
interface Frame {
  /** Degrees of latitude to pixels. */
  scale: number;
  /** cos(latitude): a degree of longitude is this much shorter than one of latitude. */
  k: number;
  cx: number;
  cy: number;
  px(p: LonLat): [number, number];
  inv(x: number, y: number): LonLat;
}

function frameAround(all: LonLat[]): Frame {
  const lons = all.map((p) => p[0]);
  const lats = all.map((p) => p[1]);
  const midLat = (Math.min(...lats) + Math.max(...lats)) / 2;
  const k = Math.cos((midLat * Math.PI) / 180);
  // Metres per degree at this latitude; at least 300 m across so one point still shows its street.
  const spanX = Math.max((Math.max(...lons) - Math.min(...lons)) * k, 0.003);
  const spanY = Math.max(Math.max(...lats) - Math.min(...lats), 0.003);
  const scale = Math.min((W - 2 * PAD) / spanX, (H - 2 * PAD) / spanY);
  const cx = (Math.min(...lons) + Math.max(...lons)) / 2;
  const cy = (Math.min(...lats) + Math.max(...lats)) / 2;
  return {
    scale,
    k,
    cx,
    cy,
    px: (p) => [W / 2 + (p[0] - cx) * k * scale, H / 2 - (p[1] - cy) * scale],
    inv: (x, y) => [cx + (x - W / 2) / (k * scale), cy - (y - H / 2) / scale],
  };
}

function mapView(): HTMLElement {
  const open = [...events.values()].filter(isOpen);
  const boxPts = new Map<string, LonLat>();
  // Where the box's status says it stands; a box from before statuses carried a location, by its first event.
  for (const b of boxes.values()) if (b.map) boxPts.set(b.site, b.map);
  for (const e of events.values()) if (!boxPts.has(e.site)) boxPts.set(e.site, e.map);
  const all = [...open.map((e) => e.map), ...boxPts.values()];
  const c = data.map.center;
  if (!all.length && c) all.push([c.lon, c.lat]);
  if (!all.length) all.push([121.4737, 31.2304]);
  const f = frameAround(all);
  const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'map', id: 'map' });
  if (data.map.tileUrl) drawTiles(s, f, data.map.tileUrl);
  else drawPaper(s);
  drawStreets(s, f);
  drawBoxes(s, f, boxPts);
  drawEvents(s, f, open);
  drawScale(s, f);
  const legend = h(
    'p',
    { class: 'muted legend' },
    data.map.tileUrl ? (data.map.attribution ?? '') : t('map.offline'),
    ` · ${open.length} ${t('map.events')} · ${boxPts.size} ${t('map.boxes')}`,
  );
  return h('div', {}, s, legend);
}

/** Web Mercator tiles of the city's own server, at the zoom that fits; points are drawn in the tiles' datum. */
function drawTiles(s: SVGElement, f: Frame, tileUrl: string): void {
  const z = Math.max(1, Math.min(19, Math.floor(Math.log2((f.scale * 360) / 256 / f.k))));
  const n = 2 ** z;
  const tx = (lon: number) => ((lon + 180) / 360) * n;
  const ty = (lat: number) => ((1 - Math.log(Math.tan((lat * Math.PI) / 180) + 1 / Math.cos((lat * Math.PI) / 180)) / Math.PI) / 2) * n;
  const lonOf = (x: number) => (x / n) * 360 - 180;
  const latOf = (y: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / n))) * 180) / Math.PI;
  const [left, top] = f.inv(0, 0);
  const [right, bottom] = f.inv(W, H);
  for (let x = Math.floor(tx(left)); x <= Math.floor(tx(right)); x++) {
    for (let y = Math.floor(ty(top)); y <= Math.floor(ty(bottom)); y++) {
      const [x0, y0] = f.px([lonOf(x), latOf(y)]);
      const [x1, y1] = f.px([lonOf(x + 1), latOf(y + 1)]);
      s.append(
        svg('image', {
          href: tileUrl.replace('{z}', String(z)).replace('{x}', String(x)).replace('{y}', String(y)),
          x: x0,
          y: y0,
          width: x1 - x0,
          height: y1 - y0,
          preserveAspectRatio: 'none',
        }),
      );
    }
  }
}

function drawPaper(s: SVGElement): void {
  s.append(svg('rect', { x: 0, y: 0, width: W, height: H, class: 'paper' }));
  for (let i = 1; i < 10; i++)
    s.append(
      svg('line', { x1: (W * i) / 10, y1: 0, x2: (W * i) / 10, y2: H, class: 'grid' }),
      svg('line', { x1: 0, y1: (H * i) / 10, x2: W, y2: (H * i) / 10, class: 'grid' }),
    );
}

function drawStreets(s: SVGElement, f: Frame): void {
  for (const feature of streets?.features ?? []) {
    const g = feature.geometry;
    const lines =
      g.type === 'LineString' ? [g.coordinates] : g.type === 'MultiLineString' || g.type === 'Polygon' ? (g.coordinates as unknown[]) : [];
    for (const line of lines as LonLat[][])
      s.append(svg('polyline', { points: line.map((p) => f.px(p).join(',')).join(' '), class: 'street' }));
  }
}

function drawBoxes(s: SVGElement, f: Frame, boxPts: Map<string, LonLat>): void {
  for (const [site, p] of boxPts) {
    const [x, y] = f.px(p);
    const b = boxes.get(site);
    s.append(svg('rect', { x: x - 9, y: y - 9, width: 18, height: 18, class: `boxmark ${b?.online ? 'online' : 'offline'}` }));
    const label = svg('text', { x: x + 12, y: y - 10, class: 'label' });
    label.textContent = site;
    s.append(label);
  }
}

/** Open events as dots; a click opens the event in the queue. */
function drawEvents(s: SVGElement, f: Frame, open: PresentedEvent[]): void {
  for (const e of open) {
    const [x, y] = f.px(e.map);
    const g = svg('g', { class: `evmark ${e.operatorAction ?? 'new'}`, 'data-event-id': e.id });
    g.append(svg('circle', { cx: x, cy: y, r: 8 }));
    const title = svg('title', {});
    title.textContent = `${e.type} · ${e.address ?? ''} · ${dwell(e.dwellSeconds)}`;
    g.append(title);
    g.addEventListener('click', () => (location.href = `/?${eventQuery(e)}`));
    s.append(g);
  }
}

/** A scale bar of a round number of metres near 150 px, and the coordinates of two corners. */
function drawScale(s: SVGElement, f: Frame): void {
  const mPerPx = 111_320 / f.scale;
  const nice = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000].find((m) => m / mPerPx > 100) ?? 10000;
  const len = nice / mPerPx;
  s.append(svg('line', { x1: 20, y1: H - 24, x2: 20 + len, y2: H - 24, class: 'scalebar' }));
  const sl = svg('text', { x: 20, y: H - 32, class: 'label', id: 'scale' });
  sl.textContent = nice >= 1000 ? `${nice / 1000} km` : `${nice} m`;
  const corner = (x: number, y: number, anchor: string, txt: string) => {
    const tx = svg('text', { x, y, class: 'coord', 'text-anchor': anchor });
    tx.textContent = txt;
    s.append(tx);
  };
  const [l, tp] = f.inv(0, 0);
  const [r, bt] = f.inv(W, H);
  corner(6, 16, 'start', `${tp.toFixed(5)}, ${l.toFixed(5)}`);
  corner(W - 6, H - 8, 'end', `${bt.toFixed(5)}, ${r.toFixed(5)}`);
  s.append(sl);
}
