import { statSync } from 'node:fs';
import { z } from 'zod';
import { latLonSchema } from '../../core/schema.ts';

/**
 * A map's basemap, as the center's dispatch map and the box console's calibration map both take it: a tile server, a
 * tile file on this machine, or none (plain paper); the tiles' datum; where it opens.
 */
export const basemapSchema = z.strictObject({
  tileUrl: z
    .string()
    .regex(/^https?:\/\/.*(\{z\}.*\{x\}.*\{y\}|\{z\}.*\{y\}.*\{x\})/, {
      error: (iss) =>
        `expected an http(s) URL with {z}, {x} and {y}, like https://tiles.city.example/{z}/{x}/{y}.png, got ${JSON.stringify(iss.input)}`,
    })
    .optional()
    .meta({ description: "A city's own map tile server, a URL with {z}/{x}/{y} placeholders. Absent: no tile server." }),
  tileType: z
    .enum(['raster', 'vector'], { error: 'expected tileType raster (PNG/JPEG/WebP pictures) or vector (Mapbox vector tiles)' })
    .optional()
    .meta({
      description: "What map.tileUrl serves: raster (pictures, default) or vector (Mapbox vector tiles, drawn in the center's own style).",
    }),
  tilesFile: z
    .string()
    .regex(/\.(pmtiles|mbtiles)$/i, { error: (iss) => `expected a .pmtiles or .mbtiles file, got ${JSON.stringify(iss.input)}` })
    .optional()
    .meta({
      description:
        'A PMTiles or MBTiles file (raster or vector) on this machine, served by the center or the box console itself (no internet); relative to the config file.',
    }),
  coords: z.enum(['wgs84', 'gcj02'], { error: 'expected coords wgs84 or gcj02' }).default('wgs84').meta({
    description:
      'The coordinates the tiles are drawn in: wgs84 (default; OpenStreetMap, Protomaps) or gcj02, which Chinese tile providers use (our WGS-84 points are shifted to match).',
  }),
  maxZoom: z.number().int().min(0).max(22).default(18).meta({
    description: 'The highest zoom level map.tileUrl has tiles for, 0 to 22 (default 18); beyond it the map enlarges those.',
  }),
  attribution: z.string().optional().meta({ description: "The tile provider's credit line shown on the map." }),
  center: latLonSchema.optional().meta({
    description: 'Where the map opens (WGS-84); absent: around what the map shows (events and boxes, or the calibration points).',
  }),
  zoom: z
    .number()
    .min(0)
    .max(22)
    .default(15)
    .meta({ description: 'The zoom level the map opens at with map.center, 0 to 22 (default 15).' }),
});
export type BasemapConfig = z.infer<typeof basemapSchema>;

/** What the schema alone cannot say about a basemap at `at` (its path in the config): one source at most, a file that is there. */
export function checkBasemap(map: BasemapConfig, at: string): { path: string; message: string } | null {
  if (map.tileUrl && map.tilesFile)
    return { path: `${at}.tilesFile`, message: `give ${at}.tileUrl (a tile server) or ${at}.tilesFile (a file on this machine), not both` };
  if (map.tileType && !map.tileUrl)
    return {
      path: `${at}.tileType`,
      message: `"${map.tileType}" applies to ${at}.tileUrl only: expected it with ${at}.tileUrl (a tile file says its own type)`,
    };
  if (map.tilesFile && !isFile(map.tilesFile))
    return { path: `${at}.tilesFile`, message: `no file at ${map.tilesFile}: expected a PMTiles or MBTiles file on this machine` };
  return null;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
