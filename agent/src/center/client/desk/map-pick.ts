import { h } from '../../../web/client/dom.ts';
import type { Area } from '../../patrol/schema.ts';
import { createMap, type LonLat, mapOrNotice } from '../map/basemap.ts';
import { editPolygon } from '../map/draw.ts';
import { type MapArea, setAreas } from '../map/layers.ts';
import { pointLayer } from '../map/markers.ts';
import { units } from './live.ts';
import { w } from './words.ts';

/* The patrol pages' two uses of the map module (../map/): pick one point, draw a unit's area. All WGS-84. */

/** Where a map opens when nothing else says: the units' areas and positions, else the map's own default view. */
function unitPoints(): LonLat[] {
  return [...units.values()].flatMap((u) => [...u.area.flat(), ...(u.position ? [[u.position.lon, u.position.lat] as LonLat] : [])]);
}

/** The units' areas (but `except`'s), drawn faint for orientation. */
const unitAreas = (except: string): MapArea[] =>
  [...units.values()]
    .filter((u) => u.id !== except && u.area.length)
    .map((u) => ({ id: u.id, name: u.name, rings: u.area, color: '#8a94a6' }));

/** Shows the map in `holder`; a click there picks the point and marks it. */
export async function pointPicker(holder: HTMLElement, picked: (lon: number, lat: number) => void): Promise<void> {
  if (!mapOrNotice(holder)) return;
  const cm = await createMap(holder, { fit: unitPoints() });
  const marker = pointLayer(cm, 'pick');
  cm.gl.getCanvas().style.cursor = 'crosshair';
  cm.gl.on('click', (e) => {
    const at = cm.fromMap([e.lngLat.lng, e.lngLat.lat]);
    marker.set([{ id: 'picked', at, className: 'picked', title: w('manual.point', { lat: at[1].toFixed(6), lon: at[0].toFixed(6) }) }]);
    picked(at[0], at[1]);
  });
  await cm.ready;
  // On a plain map without tiles the units' areas are what a dispatcher finds his way by.
  setAreas(cm, unitAreas(''));
  holder.setAttribute('data-map', 'ready');
}

/**
 * Shows a unit's area on the map in `holder`, the other units' areas faint beside it, and edits its first polygon
 * with the map module's tool (a unit with several polygons from the config keeps the others as they are).
 * `changed` hears the area after every edit, and whether a polygon was begun but has fewer than three points.
 */
export async function areaEditor(
  holder: HTMLElement,
  unitId: string,
  area: Area,
  changed: (area: Area, unfinished: boolean) => void,
): Promise<void> {
  const box = h('div', { class: 'map-canvas' });
  holder.replaceChildren(box);
  if (!mapOrNotice(box)) return;
  const [first, ...rest] = area;
  const cm = await createMap(box, { fit: area.length ? area.flat() : unitPoints() });
  const editor = editPolygon(cm, first ?? null, ({ ring }) =>
    changed(ring.length >= 3 ? [ring, ...rest] : rest, ring.length > 0 && ring.length < 3),
  );
  holder.append(editor.toolbar);
  await cm.ready;
  setAreas(cm, [...unitAreas(unitId), ...(rest.length ? [{ id: unitId, name: '', rings: rest }] : [])]);
  // Clicks before the style has loaded add no point: say when the map takes them.
  holder.setAttribute('data-map', 'ready');
}
