import type { GeoJSONSource } from 'maplibre-gl';
import type { CenterMap, LonLat } from '../../../web/client/map/basemap.ts';
import type { CellBounds } from '../../patrol-plan.ts';

/**
 * The map's polygon layers: responsibility areas (网格) and a heat layer of cells with a value. Points (units,
 * orders, alerts) are HTML markers (web/client/map/markers.ts). Data is WGS-84; each layer shifts it through `cm.toMap`.
 */
export interface MapArea {
  id: string;
  name: string;
  /** One or more rings, WGS-84 [lon, lat], closed or open. */
  rings: LonLat[][];
  /** CSS colour of the outline and fill; default the map's area blue. */
  color?: string;
}

export interface HeatCell {
  /** The cell's outline, WGS-84 [lon, lat] (a grid square, a block, a street segment's buffer). */
  ring: LonLat[];
  value: number;
}

const closed = (ring: LonLat[]): LonLat[] =>
  ring.length && (ring[0][0] !== ring.at(-1)![0] || ring[0][1] !== ring.at(-1)![1]) ? [...ring, ring[0]] : ring;

function polygons<P>(cm: CenterMap, items: { rings: LonLat[][]; props: P }[]): GeoJSON.FeatureCollection<GeoJSON.Polygon, P> {
  return {
    type: 'FeatureCollection',
    features: items.map((it) => ({
      type: 'Feature',
      properties: it.props,
      geometry: { type: 'Polygon', coordinates: it.rings.map((r) => closed(r).map(cm.toMap)) },
    })),
  };
}

/** Adds the source and its layers the first time, replaces the data afterwards. */
function upsert(cm: CenterMap, id: string, data: GeoJSON.FeatureCollection, addLayers: () => void): void {
  const src = cm.gl.getSource<GeoJSONSource>(id);
  if (src) return void src.setData(data);
  cm.gl.addSource(id, { type: 'geojson', data });
  addLayers();
}

/** Responsibility areas: a light fill and a solid outline per unit's area. */
export function setAreas(cm: CenterMap, areas: MapArea[]): void {
  const data = polygons(
    cm,
    areas.flatMap((a) => a.rings.map((ring) => ({ rings: [ring], props: { id: a.id, name: a.name, color: a.color ?? '#2f6fdf' } }))),
  );
  upsert(cm, 'areas', data, () => {
    cm.gl.addLayer({ id: 'areas-fill', type: 'fill', source: 'areas', paint: { 'fill-color': ['get', 'color'], 'fill-opacity': 0.12 } });
    cm.gl.addLayer({ id: 'areas-line', type: 'line', source: 'areas', paint: { 'line-color': ['get', 'color'], 'line-width': 2 } });
  });
}

/** A heat layer: each cell filled from pale yellow (lowest) to deep red (highest value shown). */
export function setHeat(cm: CenterMap, cells: HeatCell[]): void {
  const max = Math.max(1e-9, ...cells.map((c) => c.value));
  const data = polygons(
    cm,
    cells.map((c) => ({ rings: [c.ring], props: { value: c.value, share: c.value / max } })),
  );
  upsert(cm, 'heat', data, () => {
    cm.gl.addLayer({
      id: 'heat-fill',
      type: 'fill',
      source: 'heat',
      paint: {
        'fill-color': ['interpolate', ['linear'], ['get', 'share'], 0, '#ffffb2', 0.5, '#fd8d3c', 1, '#bd0026'],
        'fill-opacity': 0.55,
        'fill-outline-color': 'rgba(0,0,0,0.15)',
      },
    });
  });
}

/** A grid cell's outline, WGS-84 [lon, lat], closed. */
export const cellRing = (b: CellBounds): LonLat[] => [
  [b.west, b.south],
  [b.east, b.south],
  [b.east, b.north],
  [b.west, b.north],
  [b.west, b.south],
];

/** Planned patrol slots: their cells outlined in dashed purple (the dispatch map's plan, the officer's own slots). */
export function setSlots(cm: CenterMap, cells: CellBounds[]): void {
  const data = polygons(
    cm,
    cells.map((b) => ({ rings: [cellRing(b)], props: {} })),
  );
  upsert(cm, 'plan', data, () => {
    cm.gl.addLayer({
      id: 'plan-line',
      type: 'line',
      source: 'plan',
      paint: { 'line-color': '#6a1b9a', 'line-width': 2.5, 'line-dasharray': [2, 1] },
    });
  });
}
