import { svg } from '../../web/client/dom.ts';
import type { Point } from './place.ts';

/*
 * The spot on a small map without tiles (the phone may be offline, the city may have no tile server): the task's
 * marker in the middle, the officer's own position where it falls, a 100 m scale and north up.
 */

const W = 340;
const H = 150;

export function miniMap(spot: Point, me: Point | null, fenceM: number): SVGElement {
  const mPerDegLat = 111_195;
  const mPerDegLon = mPerDegLat * Math.cos((spot.lat * Math.PI) / 180);
  const east = me ? (me.lon - spot.lon) * mPerDegLon : 0;
  const north = me ? (me.lat - spot.lat) * mPerDegLat : 0;
  // Wide enough for the officer and the fence, at least 300 m across.
  const spanM = Math.max(300, 2.4 * Math.max(Math.abs(east), Math.abs(north) * (W / H), fenceM));
  const px = W / spanM;
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'minimap', role: 'img' });
  root.append(svg('rect', { x: 0, y: 0, width: W, height: H, class: 'ground' }));
  root.append(svg('circle', { cx: W / 2, cy: H / 2, r: Math.max(4, fenceM * px), class: 'fence' }));
  root.append(svg('circle', { cx: W / 2, cy: H / 2, r: 9, class: 'spot' }));
  if (me) {
    const x = Math.min(W - 6, Math.max(6, W / 2 + east * px));
    const y = Math.min(H - 6, Math.max(6, H / 2 - north * px));
    root.append(svg('circle', { cx: x, cy: y, r: 7, class: 'me' }));
  }
  root.append(svg('line', { x1: 10, y1: H - 10, x2: 10 + 100 * px, y2: H - 10, class: 'scale' }));
  const label = svg('text', { x: 12, y: H - 14, class: 'scale-label' });
  label.textContent = '100 m';
  const northMark = svg('text', { x: W - 16, y: 18, class: 'north' });
  northMark.textContent = 'N';
  root.append(label, northMark);
  return root;
}
