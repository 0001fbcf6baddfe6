import { open } from 'node:fs/promises';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { Compression, PMTiles, type Source, TileType } from 'pmtiles';

/**
 * A tile file on the center's disk (PMTiles or MBTiles), read by the center and served as `/tiles/{z}/{x}/{y}`.
 * PMTiles are decoded here rather than handed to the browser with HTTP Range requests: then both kinds of file (and a
 * city's tile server) reach the page as the same plain XYZ source, the browser needs no PMTiles protocol, the
 * archive's directories are read once per process instead of once per browser, and each tile is an ordinary
 * session-checked, cacheable response.
 */
export interface TileInfo {
  kind: 'raster' | 'vector';
  minzoom: number;
  maxzoom: number;
  /** [west, south, east, north] in the tiles' own coordinates, when the file says. */
  bounds: [number, number, number, number] | null;
  attribution: string | null;
}

export interface Tile {
  body: Buffer;
  type: string;
  /** Vector tiles stored gzipped are sent as they are, with Content-Encoding: gzip. */
  gzip: boolean;
}

export interface TileFile {
  info: TileInfo;
  tile(z: number, x: number, y: number): Promise<Tile | null>;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  pbf: 'application/x-protobuf',
  mvt: 'application/x-protobuf',
};

const isGzip = (b: Buffer) => b.length > 2 && b[0] === 0x1f && b[1] === 0x8b;

/** Opens a `.pmtiles` or `.mbtiles` file read-only; a file that is neither says so in words. */
export async function openTileFile(path: string): Promise<TileFile> {
  try {
    return /\.mbtiles$/i.test(path) ? openMbtiles(path) : await openPmtiles(path);
  } catch (err) {
    throw new Error(
      `map.tilesFile ${path}: cannot read it as ${/\.mbtiles$/i.test(path) ? 'MBTiles' : 'PMTiles'}: ${(err as Error).message}`,
    );
  }
}

function openMbtiles(path: string): TileFile {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  const meta = new Map(
    (db.prepare('SELECT name, value FROM metadata').all() as { name: string; value: string }[]).map((r) => [r.name, r.value]),
  );
  const format = (meta.get('format') ?? 'png').toLowerCase();
  const type = MIME[format];
  if (!type) throw new Error(`metadata format "${format}": expected png, jpg, webp or pbf`);
  const zooms = db.prepare('SELECT MIN(zoom_level) AS lo, MAX(zoom_level) AS hi FROM tiles').get() as {
    lo: number | null;
    hi: number | null;
  };
  const bounds = meta.get('bounds')?.split(',').map(Number);
  const get = db.prepare('SELECT tile_data AS data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?');
  return {
    info: {
      kind: format === 'pbf' || format === 'mvt' ? 'vector' : 'raster',
      minzoom: Number(meta.get('minzoom') ?? zooms.lo ?? 0),
      maxzoom: Number(meta.get('maxzoom') ?? zooms.hi ?? 22),
      bounds: bounds?.length === 4 && bounds.every(Number.isFinite) ? (bounds as TileInfo['bounds']) : null,
      attribution: meta.get('attribution') ?? null,
    },
    // MBTiles rows count from the south (TMS); the web's y counts from the north.
    tile: async (z, x, y) => {
      const row = get.get(z, x, 2 ** z - 1 - y) as { data: Buffer } | undefined;
      return row ? { body: row.data, type, gzip: isGzip(row.data) } : null;
    },
    close: async () => void db.close(),
  };
}

const PM_MIME: Partial<Record<TileType, string>> = {
  [TileType.Png]: 'image/png',
  [TileType.Jpeg]: 'image/jpeg',
  [TileType.Webp]: 'image/webp',
  [TileType.Avif]: 'image/avif',
  [TileType.Mvt]: 'application/x-protobuf',
};

/** Node's zlib for what the archive is compressed with (the library's default is the browser's DecompressionStream). */
async function decompress(buf: ArrayBuffer, c: Compression): Promise<ArrayBuffer> {
  if (c === Compression.None || c === Compression.Unknown) return buf;
  const out = c === Compression.Gzip ? gunzipSync(buf) : c === Compression.Brotli ? brotliDecompressSync(buf) : null;
  if (!out) throw new Error(`compression ${Compression[c]} is not supported: expected none, gzip or brotli`);
  return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength) as ArrayBuffer;
}

async function openPmtiles(path: string): Promise<TileFile> {
  const fh = await open(path, 'r');
  const source: Source = {
    getKey: () => path,
    getBytes: async (offset, length) => {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      return { data: buf.buffer.slice(buf.byteOffset, buf.byteOffset + bytesRead) as ArrayBuffer };
    },
  };
  try {
    const pm = new PMTiles(source, undefined, decompress);
    const h = await pm.getHeader();
    const type = PM_MIME[h.tileType as TileType];
    if (!type) throw new Error(`tile type ${TileType[h.tileType] ?? h.tileType}: expected PNG, JPEG, WebP, AVIF or MVT tiles`);
    const meta = (await pm.getMetadata().catch(() => ({}))) as { attribution?: string };
    return {
      info: {
        kind: h.tileType === TileType.Mvt ? 'vector' : 'raster',
        minzoom: h.minZoom,
        maxzoom: h.maxZoom,
        bounds: h.minLon < h.maxLon && h.minLat < h.maxLat ? [h.minLon, h.minLat, h.maxLon, h.maxLat] : null,
        attribution: typeof meta.attribution === 'string' ? meta.attribution : null,
      },
      tile: async (z, x, y) => {
        const got = await pm.getZxy(z, x, y);
        return got ? { body: Buffer.from(got.data), type, gzip: false } : null;
      },
      close: () => fh.close(),
    };
  } catch (err) {
    await fh.close();
    throw err;
  }
}
