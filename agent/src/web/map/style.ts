import type { FilterSpecification, LayerSpecification, SourceSpecification, StyleSpecification } from 'maplibre-gl';
import type { BasemapConfig } from './config.ts';
import type { TileInfo } from './tiles.ts';

/**
 * What GET /api/map/style.json tells the page beside the MapLibre style itself (its `metadata`): what the basemap
 * is, the datum its tiles are drawn in (our WGS-84 points are shifted to it when drawn), where the map opens.
 */
export interface MapStyleMeta {
  'jifang:basemap': 'server' | 'file' | 'none';
  'jifang:coords': 'wgs84' | 'gcj02';
  /** [lon, lat] WGS-84 and zoom, or null: the page fits what it shows. */
  'jifang:view': { center: [number, number]; zoom: number } | null;
  /** A streets GeoJSON (WGS-84) is served at /api/streets. */
  'jifang:streets': boolean;
}

const PAPER = '#f4f1ea';

/**
 * The MapLibre style of a map (the center's, the box console's), built from the config: a tile server, our own tile file
 * (`/tiles/{z}/{x}/{y}`, relative: the page makes it absolute) or plain paper. Nothing remote: no glyphs and no
 * sprites, so no text layers (labels are HTML markers on the page). `metadata` tells the page the tiles' datum and
 * where to open. Pure.
 */
export function mapStyle(
  map: BasemapConfig & { streets?: string },
  file: TileInfo | null,
): StyleSpecification & { metadata: MapStyleMeta } {
  const basemap = map.tileUrl ? 'server' : file ? 'file' : 'none';
  const attribution = map.attribution ?? file?.attribution ?? undefined;
  const kind = map.tileUrl ? (map.tileType ?? 'raster') : file?.kind;
  const tiles = map.tileUrl ? [map.tileUrl] : ['/tiles/{z}/{x}/{y}'];
  const zooms = file ? { minzoom: file.minzoom, maxzoom: file.maxzoom } : { maxzoom: map.maxZoom };
  const extra = { ...zooms, ...(attribution ? { attribution } : {}), ...(file?.bounds ? { bounds: file.bounds } : {}) };
  const sources: Record<string, SourceSpecification> = {};
  const layers: LayerSpecification[] = [{ id: 'paper', type: 'background', paint: { 'background-color': PAPER } }];
  if (kind === 'raster') {
    sources.basemap = { type: 'raster', tiles, tileSize: 256, ...extra };
    layers.push({ id: 'basemap', type: 'raster', source: 'basemap' });
  } else if (kind === 'vector') {
    sources.basemap = { type: 'vector', tiles, ...extra };
    layers.push(...vectorLayers('basemap'));
  }
  return {
    version: 8,
    name: 'jifang dispatch map',
    metadata: {
      'jifang:basemap': basemap,
      'jifang:coords': map.coords,
      'jifang:view': map.center ? { center: [map.center.lon, map.center.lat], zoom: map.zoom } : null,
      'jifang:streets': Boolean(map.streets),
    },
    sources,
    layers,
  };
}

/** Each layer once per common schema (Protomaps' basemap, OpenMapTiles); a source layer a file lacks draws nothing. */
function vectorLayers(source: string): LayerSpecification[] {
  const fill = (id: string, sourceLayer: string, color: string): LayerSpecification => ({
    id,
    type: 'fill',
    source,
    'source-layer': sourceLayer,
    paint: { 'fill-color': color },
  });
  const line = (id: string, sourceLayer: string, color: string, width: number, filter?: FilterSpecification) =>
    ({
      id,
      type: 'line',
      source,
      'source-layer': sourceLayer,
      ...(filter ? { filter } : {}),
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': color, 'line-width': ['interpolate', ['exponential', 1.6], ['zoom'], 10, width / 4, 18, width * 4] },
    }) as LayerSpecification;
  const major: FilterSpecification = ['match', ['get', 'kind'], ['highway', 'major_road'], true, false];
  const majorOmt: FilterSpecification = ['match', ['get', 'class'], ['motorway', 'trunk', 'primary', 'secondary'], true, false];
  return [
    fill('earth', 'earth', PAPER),
    fill('landuse', 'landuse', '#e6ead8'),
    fill('landcover', 'landcover', '#dfe8d0'),
    fill('park', 'park', '#d8e8c8'),
    fill('water', 'water', '#aad3df'),
    line('waterway', 'waterway', '#aad3df', 1),
    fill('buildings', 'buildings', '#ddd6cc'),
    fill('building', 'building', '#ddd6cc'),
    line('roads-minor', 'roads', '#ffffff', 1.5, ['!', major] as FilterSpecification),
    line('roads-major', 'roads', '#f6cf8d', 2.5, major),
    line('transportation-minor', 'transportation', '#ffffff', 1.5, ['!', majorOmt] as FilterSpecification),
    line('transportation-major', 'transportation', '#f6cf8d', 2.5, majorOmt),
    line('boundaries', 'boundaries', '#9e9cab', 1),
    line('boundary', 'boundary', '#9e9cab', 1),
  ];
}
