import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCenterConfig } from '../../../agent/src/center/config.ts';
import { mapStyle } from '../../../agent/src/web/map/style.ts';
import { openTileFile } from '../../../agent/src/web/map/tiles.ts';
import { rasterTiles, writeMbtiles, writePmtiles, type XyzTile } from '../../helpers/tile-files.ts';

/** The basemap's config, the center's reading of real PMTiles and MBTiles files, and the style built from them. */
const base = { mqtt: { url: 'mqtt://127.0.0.1:1883' }, storage: { kind: 'sqlite', path: 'c.db' }, users: 'users' };
let dir: string;
let tiles: XyzTile[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jifang-map-tiles-'));
  tiles = await rasterTiles({ center: [121.4737, 31.2304], span: 0.004, zooms: [15, 16], landmark: [121.4737, 31.2304] });
  writeMbtiles(join(dir, 'city.mbtiles'), tiles, { attribution: '© test city' });
  writePmtiles(join(dir, 'city.pmtiles'), tiles, { attribution: '© test city' });
  writeFileSync(join(dir, 'notes.pmtiles'), 'these are not tiles');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = (map: Record<string, unknown>) => parseCenterConfig({ ...base, map }, 'center.yaml', dir);

describe('map config', () => {
  it('resolves the tile file against the config folder and reads the datum', () => {
    const cfg = config({ tilesFile: 'city.pmtiles', coords: 'gcj02', center: { lat: 31.23, lon: 121.47 }, zoom: 16 });
    expect(cfg.map).toMatchObject({ tilesFile: join(dir, 'city.pmtiles'), coords: 'gcj02', zoom: 16 });
  });
  it('names the file, the field, the bad value and the expected form', () => {
    expect(() => config({ tilesFile: 'city.geojson' })).toThrow(
      /center\.yaml: map\.tilesFile: expected a \.pmtiles or \.mbtiles file, got "city\.geojson"/,
    );
    expect(() => config({ tilesFile: 'gone.mbtiles' })).toThrow(
      new RegExp(`center\\.yaml: map\\.tilesFile: no file at ${join(dir, 'gone.mbtiles')}: expected a PMTiles or MBTiles file`),
    );
    expect(() => config({ tilesFile: 'city.mbtiles', tileUrl: 'https://t.example/{z}/{x}/{y}.png' })).toThrow(
      /map\.tilesFile: give map\.tileUrl \(a tile server\) or map\.tilesFile \(a file on this machine\), not both/,
    );
    expect(() => config({ tilesFile: 'city.mbtiles', tileType: 'vector' })).toThrow(/map\.tileType: "vector" applies to map\.tileUrl only/);
    expect(() => config({ tileUrl: 'tiles/{z}/{x}/{y}.png' })).toThrow(
      /map\.tileUrl: expected an http\(s\) URL with \{z\}, \{x\} and \{y\}.*got "tiles/,
    );
    expect(() => config({ coords: 'bd09' })).toThrow(
      /map\.coords: .*"wgs84".*"gcj02".*got "bd09"|map\.coords: expected coords wgs84 or gcj02/,
    );
  });
});

describe('tile files on the center’s disk', () => {
  const at = (z: number, x: number, y: number) => tiles.find((t) => t.z === z && t.x === x && t.y === y)!;
  for (const name of ['city.mbtiles', 'city.pmtiles']) {
    it(`${name}: serves each tile at its web (XYZ) address, and nothing where the file has none`, async () => {
      const file = await openTileFile(join(dir, name));
      try {
        expect(file.info).toMatchObject({ kind: 'raster', minzoom: 15, maxzoom: 16, attribution: '© test city' });
        for (const t of [tiles[0], tiles[tiles.length - 1], tiles[7]]) {
          const got = await file.tile(t.z, t.x, t.y);
          expect(got?.type).toBe('image/png');
          expect(Buffer.compare(got!.body, at(t.z, t.x, t.y).data)).toBe(0);
        }
        const meta = await sharp((await file.tile(tiles[0].z, tiles[0].x, tiles[0].y))!.body).metadata();
        expect([meta.width, meta.height]).toEqual([256, 256]);
        expect(await file.tile(16, 0, 0)).toBeNull();
      } finally {
        await file.close();
      }
    });
  }
  it('says which setting names a file it cannot read, and as what', async () => {
    await expect(openTileFile(join(dir, 'notes.pmtiles'))).rejects.toThrow(/map\.tilesFile .*notes\.pmtiles: cannot read it as PMTiles/);
  });
});

describe('the basemap style', () => {
  it('draws the center’s own tiles from /tiles/ with their zooms and credit, and tells the page the datum', async () => {
    const cfg = config({ tilesFile: 'city.mbtiles', coords: 'gcj02', center: { lat: 31.23, lon: 121.47 }, zoom: 16 });
    const file = await openTileFile(cfg.map.tilesFile!);
    const style = mapStyle(cfg.map, file.info);
    await file.close();
    expect(style.sources.basemap).toEqual({
      type: 'raster',
      tiles: ['/tiles/{z}/{x}/{y}'],
      tileSize: 256,
      minzoom: 15,
      maxzoom: 16,
      attribution: '© test city',
    });
    expect(style.metadata).toEqual({
      'jifang:basemap': 'file',
      'jifang:coords': 'gcj02',
      'jifang:view': { center: [121.47, 31.23], zoom: 16 },
      'jifang:streets': false,
    });
  });
  it('draws a vector tile server in its own colours, with no text (no remote glyphs or sprites)', () => {
    const style = mapStyle(config({ tileUrl: 'https://t.example/{z}/{x}/{y}.pbf', tileType: 'vector' }).map, null);
    expect(style.sources.basemap).toMatchObject({ type: 'vector', tiles: ['https://t.example/{z}/{x}/{y}.pbf'], maxzoom: 18 });
    expect(style.layers.map((l) => l.type)).not.toContain('symbol');
    expect(style.layers.some((l) => 'source-layer' in l && l['source-layer'] === 'roads')).toBe(true);
    expect(style).not.toHaveProperty('glyphs');
    expect(style).not.toHaveProperty('sprite');
  });
  it('is plain paper for a city with neither a tile server nor a file', () => {
    const style = mapStyle(config({}).map, null);
    expect(style.sources).toEqual({});
    expect(style.layers).toEqual([expect.objectContaining({ type: 'background' })]);
    expect(style.metadata['jifang:basemap']).toBe('none');
  });
});
