import type { LatLon } from '../core/geometry.ts';

const EARTH_RADIUS = 6_371_008.8;
const RAD = Math.PI / 180;

/**
 * Square cells of `cellMeters` on a flat east/north projection around the data's centroid (equirectangular: across
 * a city of 50 km its scale error stays under half a percent, far below a cell).
 */
export interface Grid {
  cellMeters: number;
  origin: LatLon;
  /** West and south edges of the grid, metres from the origin. */
  west: number;
  south: number;
  nx: number;
  ny: number;
}

const kNorth = EARTH_RADIUS * RAD;
const kEast = (origin: LatLon) => kNorth * Math.cos(origin.lat * RAD);

/** The grid covering `points` with one empty cell of margin around them. */
export function gridAround(points: readonly LatLon[], cellMeters: number): Grid {
  if (points.length === 0) throw new Error('gridAround: no incidents to place a grid on');
  let sLat = 0;
  let sLon = 0;
  for (const p of points) (sLat += p.lat), (sLon += p.lon);
  const origin = { lat: sLat / points.length, lon: sLon / points.length };
  let minE = Infinity;
  let minN = Infinity;
  let maxE = -Infinity;
  let maxN = -Infinity;
  const ke = kEast(origin);
  for (const p of points) {
    const e = (p.lon - origin.lon) * ke;
    const n = (p.lat - origin.lat) * kNorth;
    minE = Math.min(minE, e);
    maxE = Math.max(maxE, e);
    minN = Math.min(minN, n);
    maxN = Math.max(maxN, n);
  }
  const west = Math.floor(minE / cellMeters - 1) * cellMeters;
  const south = Math.floor(minN / cellMeters - 1) * cellMeters;
  return {
    cellMeters,
    origin,
    west,
    south,
    nx: Math.floor((maxE - west) / cellMeters) + 2,
    ny: Math.floor((maxN - south) / cellMeters) + 2,
  };
}

/** The cell index (row-major from the south-west) of a point; -1 outside the grid. */
export function cellOf(grid: Grid, lat: number, lon: number): number {
  const x = Math.floor(((lon - grid.origin.lon) * kEast(grid.origin) - grid.west) / grid.cellMeters);
  const y = Math.floor(((lat - grid.origin.lat) * kNorth - grid.south) / grid.cellMeters);
  return x < 0 || y < 0 || x >= grid.nx || y >= grid.ny ? -1 : y * grid.nx + x;
}

export function cellCentre(grid: Grid, cell: number): LatLon {
  const x = cell % grid.nx;
  const y = Math.floor(cell / grid.nx);
  return {
    lat: grid.origin.lat + (grid.south + (y + 0.5) * grid.cellMeters) / kNorth,
    lon: grid.origin.lon + (grid.west + (x + 0.5) * grid.cellMeters) / kEast(grid.origin),
  };
}

/** A cell's bounds in degrees (its edges on the flat projection, read back as latitudes and longitudes). */
export function cellBounds(grid: Grid, cell: number): { south: number; west: number; north: number; east: number } {
  const c = cellCentre(grid, cell);
  const dLat = grid.cellMeters / 2 / kNorth;
  const dLon = grid.cellMeters / 2 / kEast(grid.origin);
  return { south: c.lat - dLat, west: c.lon - dLon, north: c.lat + dLat, east: c.lon + dLon };
}

/**
 * The study area: the cells of the grid the model ranks, with their 8 neighbours as area indices (-1 where a
 * neighbour lies outside). Ranking the whole bounding box would count fields, water and airports as "area" and
 * flatter every method's accuracy index.
 */
export interface StudyArea {
  grid: Grid;
  /** Area index → grid cell. */
  cells: Int32Array;
  /** Grid cell → area index, -1 outside the area. */
  indexOf: Int32Array;
  /** 8 per area cell. */
  neighbours: Int32Array;
}

/** The cells holding at least one of `points`, widened by one cell all round. */
export function studyArea(grid: Grid, points: readonly LatLon[]): StudyArea {
  const occupied = new Uint8Array(grid.nx * grid.ny);
  for (const p of points) {
    const c = cellOf(grid, p.lat, p.lon);
    if (c < 0) continue;
    const x = c % grid.nx;
    const y = (c - x) / grid.nx;
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx;
        const yy = y + dy;
        if (xx >= 0 && yy >= 0 && xx < grid.nx && yy < grid.ny) occupied[yy * grid.nx + xx] = 1;
      }
  }
  const indexOf = new Int32Array(occupied.length).fill(-1);
  const list: number[] = [];
  for (let c = 0; c < occupied.length; c++) if (occupied[c]) indexOf[c] = list.push(c) - 1;
  const cells = Int32Array.from(list);
  const neighbours = new Int32Array(cells.length * 8).fill(-1);
  for (let a = 0; a < cells.length; a++) {
    const x = cells[a] % grid.nx;
    const y = (cells[a] - x) / grid.nx;
    let k = 0;
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        if (dx === 0 && dy === 0) continue;
        const xx = x + dx;
        const yy = y + dy;
        if (xx >= 0 && yy >= 0 && xx < grid.nx && yy < grid.ny) neighbours[a * 8 + k] = indexOf[yy * grid.nx + xx];
        k++;
      }
  }
  return { grid, cells, indexOf, neighbours };
}
