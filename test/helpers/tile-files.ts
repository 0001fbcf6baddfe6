import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { TileType, zxyToTileId } from 'pmtiles';
import sharp from 'sharp';

/**
 * Tiny real tile files for the map's tests: raster PNG tiles made with sharp, written as MBTiles (SQLite, TMS rows) and
 * as PMTiles v3 (header, one root directory, tile data), so that the center serves what a city's extract would hold.
 */
export type LonLat = [number, number];
export interface XyzTile {
  z: number;
  x: number;
  y: number;
  data: Buffer;
}

/** The ground colour of every test tile and the colour of the landmark square drawn on them. */
export const GROUND = { r: 40, g: 150, b: 90 };
export const LANDMARK = { r: 230, g: 20, b: 200 };

/** Web Mercator: [lon, lat] → global pixel at zoom z (256-pixel tiles). */
export function globalPixel([lon, lat]: LonLat, z: number): [number, number] {
  const n = 256 * 2 ** z;
  const s = Math.sin((lat * Math.PI) / 180);
  return [((lon + 180) / 360) * n, (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * n];
}

/**
 * Tiles for zooms `zooms` covering `span` degrees around `center`: the ground colour, a darker grid line on each tile's
 * edge (so that the tiles are visibly there), and a LANDMARK square of `mark` pixels centred on `landmark` (a point in
 * the tiles' own datum), as a city's map shows a building where the tiles put it.
 */
export async function rasterTiles(o: {
  center: LonLat;
  span: number;
  zooms: number[];
  landmark: LonLat;
  mark?: number;
}): Promise<XyzTile[]> {
  const out: XyzTile[] = [];
  const half = (o.mark ?? 12) / 2;
  const plain = await tilePng([], half * 2);
  for (const z of o.zooms) {
    const [x0, y0] = globalPixel([o.center[0] - o.span, o.center[1] + o.span], z).map((p) => Math.floor(p / 256));
    const [x1, y1] = globalPixel([o.center[0] + o.span, o.center[1] - o.span], z).map((p) => Math.floor(p / 256));
    const [lx, ly] = globalPixel(o.landmark, z);
    for (let x = x0; x <= x1; x++)
      for (let y = y0; y <= y1; y++) {
        const px = lx - x * 256;
        const py = ly - y * 256;
        const marks =
          px > -half && px < 256 + half && py > -half && py < 256 + half
            ? [{ left: Math.round(px - half), top: Math.round(py - half) }]
            : [];
        out.push({ z, x, y, data: marks.length ? await tilePng(marks, half * 2) : plain });
      }
  }
  return out;
}

async function tilePng(marks: { left: number; top: number }[], size: number): Promise<Buffer> {
  const edge = await sharp({ create: { width: 256, height: 2, channels: 3, background: { r: 20, g: 90, b: 50 } } })
    .png()
    .toBuffer();
  const side = await sharp({ create: { width: 2, height: 256, channels: 3, background: { r: 20, g: 90, b: 50 } } })
    .png()
    .toBuffer();
  const square = await sharp({ create: { width: size, height: size, channels: 3, background: LANDMARK } })
    .png()
    .toBuffer();
  const clip = (m: { left: number; top: number }) => ({
    // sharp refuses an overlay that sticks out: crop the square to the tile.
    input: square,
    left: Math.max(0, m.left),
    top: Math.max(0, m.top),
    crop: {
      left: Math.max(0, -m.left),
      top: Math.max(0, -m.top),
      width: Math.min(size, 256 - m.left) - Math.max(0, -m.left),
      height: Math.min(size, 256 - m.top) - Math.max(0, -m.top),
    },
  });
  const overlays = await Promise.all(
    marks.map(async (m) => {
      const c = clip(m);
      return { input: await sharp(c.input).extract(c.crop).png().toBuffer(), left: c.left, top: c.top };
    }),
  );
  return sharp({ create: { width: 256, height: 256, channels: 3, background: GROUND } })
    .composite([{ input: edge, left: 0, top: 0 }, { input: side, left: 0, top: 0 }, ...overlays])
    .png()
    .toBuffer();
}

/** An MBTiles file (the SQLite schema of the MBTiles 1.3 spec; rows counted from the south). */
export function writeMbtiles(path: string, tiles: XyzTile[], meta: Record<string, string> = {}): void {
  const db = new Database(path);
  db.exec(
    'CREATE TABLE metadata (name TEXT, value TEXT); CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);',
  );
  const zs = tiles.map((t) => t.z);
  const all = { name: 'test', format: 'png', minzoom: String(Math.min(...zs)), maxzoom: String(Math.max(...zs)), ...meta };
  const m = db.prepare('INSERT INTO metadata VALUES (?, ?)');
  for (const [k, v] of Object.entries(all)) m.run(k, v);
  const t = db.prepare('INSERT INTO tiles VALUES (?, ?, ?, ?)');
  for (const tile of tiles) t.run(tile.z, tile.x, 2 ** tile.z - 1 - tile.y, tile.data);
  db.close();
}

function varints(values: number[]): Buffer {
  const bytes: number[] = [];
  for (let v of values) {
    while (v >= 0x80) {
      bytes.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    bytes.push(v);
  }
  return Buffer.from(bytes);
}

/** A PMTiles v3 archive of PNG tiles: no compression inside, one root directory (fine below a few thousand tiles). */
export function writePmtiles(path: string, tiles: XyzTile[], meta: Record<string, unknown> = {}): void {
  const sorted = tiles.map((t) => ({ id: zxyToTileId(t.z, t.x, t.y), t })).sort((a, b) => a.id - b.id);
  let offset = 0;
  const entries = sorted.map((s) => {
    const e = { id: s.id, offset, length: s.t.data.length };
    offset += s.t.data.length;
    return e;
  });
  const dir = Buffer.concat([
    varints([entries.length]),
    varints(entries.map((e, i) => e.id - (i ? entries[i - 1].id : 0))),
    varints(entries.map(() => 1)),
    varints(entries.map((e) => e.length)),
    // Each tile follows the one before: offset 0 says "right after it", except the first (offset + 1).
    varints(entries.map((e, i) => (i === 0 ? e.offset + 1 : 0))),
  ]);
  const metadata = Buffer.from(JSON.stringify({ name: 'test', ...meta }));
  const data = Buffer.concat(sorted.map((s) => s.t.data));
  const h = Buffer.alloc(127);
  h.write('PMTiles', 0, 'ascii');
  h.writeUInt8(3, 7);
  const u64 = (at: number, v: number) => h.writeBigUInt64LE(BigInt(v), at);
  u64(8, 127);
  u64(16, dir.length);
  u64(24, 127 + dir.length);
  u64(32, metadata.length);
  u64(40, 127 + dir.length + metadata.length);
  u64(48, 0);
  u64(56, 127 + dir.length + metadata.length);
  u64(64, data.length);
  u64(72, entries.length);
  u64(80, entries.length);
  u64(88, entries.length);
  h.writeUInt8(1, 96);
  h.writeUInt8(1, 97);
  h.writeUInt8(1, 98);
  h.writeUInt8(TileType.Png, 99);
  const zs = tiles.map((t) => t.z);
  h.writeUInt8(Math.min(...zs), 100);
  h.writeUInt8(Math.max(...zs), 101);
  // Bounds and centre (degrees × 10⁷): the whole world, centre unset; the style takes its view from the config.
  h.writeInt32LE(-180e7, 102);
  h.writeInt32LE(-85e7, 106);
  h.writeInt32LE(180e7, 110);
  h.writeInt32LE(85e7, 114);
  writeFileSync(path, Buffer.concat([h, dir, metadata, data]));
}
