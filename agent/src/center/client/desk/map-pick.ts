import { h } from '../../../web/client/dom.ts';
import { type CenterMap, createMap, fitTo, type LonLat, mapOrNotice } from '../../../web/client/map/basemap.ts';
import { pointLayer } from '../../../web/client/map/markers.ts';
import type { Area } from '../../patrol/schema.ts';
import { editPolygon, type PolygonEditor } from '../map/draw.ts';
import { type MapArea, setAreas } from '../map/layers.ts';
import { mt } from '../map/words.ts';
import { units } from './live.ts';
import { w } from './words.ts';

/* The patrol pages' two uses of the map: pick one point, draw a unit's area. Drawn by the map module (../map/). */

/** Where a map opens when nothing else says: the units' areas and positions, else the map's own default view. */
function unitPoints(): LonLat[] {
  return [...units.values()].flatMap((u) => [...u.area.flat(), ...(u.position ? [[u.position.lon, u.position.lat] as LonLat] : [])]);
}

/** The units' areas (but `except`'s), drawn faint: on a plain map without tiles they are what one finds one's way by. */
const unitAreas = (except: string): MapArea[] =>
  [...units.values()]
    .filter((u) => u.id !== except && u.area.length)
    .map((u) => ({ id: `unit-${u.id}`, name: u.name, rings: u.area, color: '#8a94a6' }));

/** A map filling `holder`, or a notice saying why there is none (no WebGL2). */
async function mapIn(holder: HTMLElement, fit: LonLat[]): Promise<CenterMap | null> {
  if (!mapOrNotice(holder)) return null;
  const cm = await createMap(holder);
  await cm.ready;
  if (fit.length) fitTo(cm, fit);
  return cm;
}

/** Shows the map in `holder`; each click there picks the point (WGS-84) and marks it. */
export async function pointPicker(holder: HTMLElement, picked: (lon: number, lat: number) => void): Promise<void> {
  const canvas = h('div', { class: 'pick-map-canvas' });
  holder.replaceChildren(canvas);
  const cm = await mapIn(canvas, unitPoints());
  if (!cm) return;
  setAreas(cm, unitAreas(''));
  const mark = pointLayer(cm, 'picked');
  cm.gl.getCanvas().style.cursor = 'crosshair';
  cm.gl.on('click', (e) => {
    const p = cm.fromMap([e.lngLat.lng, e.lngLat.lat]);
    mark.set([{ id: 'picked', at: p, className: '', title: w('manual.point', { lat: p[1].toFixed(6), lon: p[0].toFixed(6) }) }]);
    picked(p[0], p[1]);
  });
}

/**
 * Shows unit `unitId`'s area on the map in `holder` (the other units' areas faint beside it) and lets the user draw
 * its polygons: one is edited at a time (the others drawn as areas), "new polygon" starts another, "delete polygon"
 * removes the one being edited. `changed` gets the area after every change — its rings of three points or more,
 * WGS-84 — and whether a polygon was begun with fewer than three points.
 */
export async function areaEditor(
  holder: HTMLElement,
  unitId: string,
  area: Area,
  changed: (area: Area, unfinished: boolean) => void,
): Promise<void> {
  const canvas = h('div', { class: 'pick-map-canvas' });
  const bar = h('div', { class: 'area-bar' });
  holder.replaceChildren(bar, canvas);
  const cm = await mapIn(canvas, area.length ? area.flat() : unitPoints());
  if (!cm) return;
  const rings: LonLat[][] = area.map((r) => [...r]);
  let current = 0;
  let editor: PolygonEditor | null = null;
  const report = () =>
    changed(
      rings.filter((r) => r.length >= 3),
      rings.some((r) => r.length > 0 && r.length < 3),
    );
  const edit = (i: number) => {
    editor?.destroy();
    current = i;
    if (!rings[i]) rings[i] = [];
    setAreas(cm, [
      ...unitAreas(unitId),
      ...rings.flatMap((r, j) => (j !== i && r.length >= 3 ? [{ id: String(j), name: String(j + 1), rings: [r] }] : [])),
    ]);
    editor = editPolygon(cm, rings[i], (p) => {
      rings[current] = p.ring;
      report();
    });
    bar.replaceChildren(ringButtons(rings.length, i, edit), editor.toolbar, ...areaButtons(rings, i, edit, report));
  };
  edit(0);
}

function ringButtons(n: number, at: number, edit: (i: number) => void): HTMLElement {
  return h(
    'div',
    { class: 'area-rings' },
    ...Array.from({ length: n }, (_, i) =>
      h(
        'button',
        { type: 'button', class: i === at ? 'current' : 'secondary', 'data-ring': String(i), onclick: () => edit(i) },
        mt('area.ring', { n: i + 1 }),
      ),
    ),
  );
}

function areaButtons(rings: LonLat[][], at: number, edit: (i: number) => void, report: () => void): HTMLElement[] {
  const add = h('button', { type: 'button', class: 'area-new', onclick: () => edit(rings.length) }, mt('area.new'));
  const remove = h(
    'button',
    {
      type: 'button',
      class: 'area-delete secondary',
      onclick: () => {
        rings.splice(at, 1);
        report();
        edit(Math.max(0, at - 1));
      },
    },
    mt('area.delete'),
  );
  return [add, remove];
}
