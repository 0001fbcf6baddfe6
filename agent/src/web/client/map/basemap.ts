import type { FeatureCollection } from 'geojson';
import { Map as GlMap, NavigationControl, ScaleControl, type StyleSpecification, setWorkerUrl } from 'maplibre-gl';
import { gcj02ToWgs84, type LonLat, wgs84ToGcj02 } from '../../../geo/gcj02.ts';
import type { MapStyleMeta } from '../../map/style.ts';
import { api } from '../api.ts';
import { h } from '../dom.ts';
import { bt } from './words.ts';

export type { LonLat };

/**
 * A MapLibre map on the server's basemap (GET /api/map/style.json), for every page that shows places (the center's,
 * the box console's calibration). Our data is WGS-84; `toMap` shifts a point into the tiles' datum (GCJ-02 on Chinese
 * tiles) and `fromMap` brings a point picked on the map back, so that layers and editors never think about datums.
 */
export interface CenterMap {
  gl: GlMap;
  meta: MapStyleMeta;
  toMap(p: LonLat): LonLat;
  fromMap(p: LonLat): LonLat;
  /** Resolves once the style is loaded and sources may be added. */
  ready: Promise<void>;
}

// Our own copy of MapLibre's worker, bundled with the pages (no CDN, and the CSP allows only our scripts).
setWorkerUrl('/assets/maplibre-worker.js');

/** Tile URLs in the style may be relative to the center (its own /tiles/): MapLibre wants them absolute. */
function absolute<S extends StyleSpecification>(style: S): S {
  for (const src of Object.values(style.sources))
    if ('tiles' in src && src.tiles) src.tiles = src.tiles.map((u) => (u.startsWith('/') ? `${location.origin}${u}` : u));
  return style;
}

export async function createMap(container: HTMLElement, o: { fit?: LonLat[] } = {}): Promise<CenterMap> {
  const style = absolute(await api<StyleSpecification & { metadata: MapStyleMeta }>('GET', '/api/map/style.json'));
  const meta = style.metadata;
  const gcj = meta['jifang:coords'] === 'gcj02';
  const toMap = (p: LonLat): LonLat => (gcj ? wgs84ToGcj02(p[0], p[1]) : p);
  const fromMap = (p: LonLat): LonLat => (gcj ? gcj02ToWgs84(p[0], p[1]) : p);
  const view = meta['jifang:view'];
  const gl = new GlMap({
    container,
    style,
    center: toMap(view?.center ?? o.fit?.[0] ?? [121.4737, 31.2304]),
    zoom: view?.zoom ?? 15,
    attributionControl: { compact: true },
    // Nothing leaves the center: no telemetry, no remote fonts.
    localIdeographFontFamily: 'sans-serif',
  });
  gl.addControl(new NavigationControl({ showCompass: false }), 'top-right');
  gl.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-left');
  const cm: CenterMap = {
    gl,
    meta,
    toMap,
    fromMap,
    ready: new Promise((resolve) =>
      gl.once('load', () => {
        container.setAttribute('data-ready', '1');
        resolve();
      }),
    ),
  };
  gl.on('error', (e) => container.setAttribute('data-map-error', String(e.error?.message ?? e.error)));
  if (!view && o.fit && o.fit.length > 1) fitTo(cm, o.fit);
  if (meta['jifang:streets']) void cm.ready.then(() => addStreets(cm));
  return cm;
}

/** Frames the given WGS-84 points, with a margin, no closer than `maxZoom`; a single point is centred at the current zoom. */
export function fitTo(cm: CenterMap, points: LonLat[], maxZoom = 17): void {
  if (!points.length) return;
  const m = points.map(cm.toMap);
  const lons = m.map((p) => p[0]);
  const lats = m.map((p) => p[1]);
  const sw: LonLat = [Math.min(...lons), Math.min(...lats)];
  const ne: LonLat = [Math.max(...lons), Math.max(...lats)];
  if (sw[0] === ne[0] && sw[1] === ne[1]) cm.gl.jumpTo({ center: sw });
  else cm.gl.fitBounds([sw, ne], { padding: 60, maxZoom, duration: 0 });
}

/** The city's streets file (WGS-84), shifted like every other layer. */
async function addStreets(cm: CenterMap): Promise<void> {
  const geo = await api<FeatureCollection>('GET', '/api/streets');
  cm.gl.addSource('streets', { type: 'geojson', data: shiftGeometry(cm, geo) });
  cm.gl.addLayer({ id: 'streets', type: 'line', source: 'streets', paint: { 'line-color': '#b9b2a6', 'line-width': 2 } });
}

/** Every coordinate of a GeoJSON value through `toMap`. */
function shiftGeometry<T>(cm: CenterMap, value: T): T {
  const walk = (v: unknown): unknown =>
    Array.isArray(v) && typeof v[0] === 'number'
      ? cm.toMap(v as LonLat)
      : Array.isArray(v)
        ? v.map(walk)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === 'properties' ? x : walk(x)]))
          : v;
  return walk(value) as T;
}

/** A map container with a line saying why there is no map, when the browser has no WebGL2. */
export function mapOrNotice(el: HTMLElement): boolean {
  if (document.createElement('canvas').getContext('webgl2')) return true;
  el.replaceChildren(h('p', { class: 'warn' }, bt('map.noWebgl')));
  return false;
}
