import type { Box } from '../core/geometry.ts';

/**
 * A running-average background over a grid of cells: each cell moves `rate` of the way towards the picture every
 * `learn`. A fast rate (0.02) gives the motion detector's background; a slow one (0.001) gives a long-term scene
 * against which objects that arrived and stayed remain foreground for minutes (a `static_object` rule's primitive).
 */
export class BackgroundModel {
  readonly values: Float32Array;
  private primed = false;

  constructor(
    readonly cells: number,
    public learningRate: number,
  ) {
    if (!(learningRate >= 0 && learningRate <= 1))
      throw new Error(`background: expected a learning rate between 0 and 1, got ${learningRate}`);
    this.values = new Float32Array(cells);
  }

  /** Whether a picture was ever learnt (before that, everything is foreground). */
  get ready(): boolean {
    return this.primed;
  }

  /** Forgets everything and takes `picture` as the background. */
  reset(picture: Uint8Array): void {
    this.check(picture);
    const v = this.values;
    for (let i = 0; i < this.cells; i++) v[i] = picture[i];
    this.primed = true;
  }

  /** Moves every active cell `rate` (default: the model's learning rate) of the way towards `picture`. */
  learn(picture: Uint8Array, active?: Uint8Array, rate: number = this.learningRate): void {
    if (!this.primed) {
      this.reset(picture);
      return;
    }
    this.check(picture);
    const v = this.values;
    for (let i = 0; i < this.cells; i++) {
      if (active !== undefined && active[i] === 0) continue;
      v[i] += rate * (picture[i] - v[i]);
    }
  }

  /** Writes 1 into `out` where an active cell differs from the background by more than `threshold`; returns how many. */
  foreground(picture: Uint8Array, threshold: number, out: Uint8Array, active?: Uint8Array): number {
    this.check(picture);
    const v = this.values;
    let n = 0;
    for (let i = 0; i < this.cells; i++) {
      const d = picture[i] - v[i];
      const fg = (active === undefined || active[i] === 1) && (d > threshold || d < -threshold) ? 1 : 0;
      out[i] = fg;
      n += fg;
    }
    return n;
  }

  private check(picture: Uint8Array): void {
    if (picture.length !== this.cells) throw new Error(`background: picture has ${picture.length} cells; expected ${this.cells}`);
  }
}

/**
 * Grows the 1-cells of `mask` (width × height) by `radius` cells in each direction (a square structuring element,
 * as two separable running-window passes, both row by row so memory is read in order), writing into `out`; `tmp`
 * (same size) and `columns` (width entries) are scratch.
 */
export function dilate(
  mask: Uint8Array,
  width: number,
  height: number,
  radius: number,
  out: Uint8Array,
  tmp: Uint8Array,
  columns: Uint16Array,
): void {
  if (radius <= 0) {
    out.set(mask);
    return;
  }
  // Where the window lies wholly inside the row, no bounds checks.
  const inner0 = Math.min(width, radius + 1);
  const inner1 = Math.max(inner0, width - radius);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let count = 0;
    for (let x = 0; x < Math.min(radius, width); x++) count += mask[row + x];
    for (let x = 0; x < inner0; x++) {
      if (x + radius < width) count += mask[row + x + radius];
      tmp[row + x] = count > 0 ? 1 : 0;
    }
    for (let x = inner0; x < inner1; x++) {
      count += mask[row + x + radius] - mask[row + x - radius - 1];
      tmp[row + x] = count > 0 ? 1 : 0;
    }
    for (let x = inner1; x < width; x++) {
      if (x + radius < width) count += mask[row + x + radius];
      if (x - radius - 1 >= 0) count -= mask[row + x - radius - 1];
      tmp[row + x] = count > 0 ? 1 : 0;
    }
  }
  columns.fill(0);
  for (let y = 0; y < Math.min(radius, height); y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) columns[x] += tmp[row + x];
  }
  for (let y = 0; y < height; y++) {
    // The rows entering and leaving the window are folded in as the output row is written (a missing row adds 0).
    const add = y + radius < height ? (y + radius) * width : -1;
    const drop = y - radius - 1 >= 0 ? (y - radius - 1) * width : -1;
    const row = y * width;
    if (add >= 0 && drop >= 0) {
      for (let x = 0; x < width; x++) {
        const c = columns[x] + tmp[add + x] - tmp[drop + x];
        columns[x] = c;
        out[row + x] = c > 0 ? 1 : 0;
      }
    } else {
      for (let x = 0; x < width; x++) {
        const c = columns[x] + (add >= 0 ? tmp[add + x] : 0) - (drop >= 0 ? tmp[drop + x] : 0);
        columns[x] = c;
        out[row + x] = c > 0 ? 1 : 0;
      }
    }
  }
}

/**
 * 8-connected components of a 0/1 grid, labelled run by run: each row's runs of 1-cells are joined (union-find)
 * with the runs of the row above that touch them, diagonals included. Results stay in typed arrays (cell units,
 * x2/y2 exclusive) until the next `find`; at most `maxBlobs` (the largest kept when there are more).
 */
export class Blobs {
  count = 0;
  readonly x1: Int32Array;
  readonly y1: Int32Array;
  readonly x2: Int32Array;
  readonly y2: Int32Array;
  readonly area: Int32Array;
  private readonly runStart: Int32Array;
  private readonly runEnd: Int32Array;
  private readonly runRow: Int32Array;
  private readonly runArea: Int32Array;
  private readonly parent: Int32Array;
  private readonly rootSlot: Int32Array;
  private readonly bx1: Int32Array;
  private readonly by1: Int32Array;
  private readonly bx2: Int32Array;
  private readonly by2: Int32Array;
  private readonly barea: Int32Array;

  constructor(
    readonly width: number,
    readonly height: number,
    readonly maxBlobs = 64,
  ) {
    // At most one run per two cells of a row (a run and its gap), plus one.
    const maxRuns = height * (Math.ceil(width / 2) + 1);
    this.runStart = new Int32Array(maxRuns);
    this.runEnd = new Int32Array(maxRuns);
    this.runRow = new Int32Array(maxRuns);
    this.runArea = new Int32Array(maxRuns);
    this.parent = new Int32Array(maxRuns);
    this.rootSlot = new Int32Array(maxRuns);
    this.bx1 = new Int32Array(maxRuns);
    this.by1 = new Int32Array(maxRuns);
    this.bx2 = new Int32Array(maxRuns);
    this.by2 = new Int32Array(maxRuns);
    this.barea = new Int32Array(maxRuns);
    this.x1 = new Int32Array(maxBlobs);
    this.y1 = new Int32Array(maxBlobs);
    this.x2 = new Int32Array(maxBlobs);
    this.y2 = new Int32Array(maxBlobs);
    this.area = new Int32Array(maxBlobs);
  }

  /**
   * Components of `mask` with at least `minArea` cells; returns how many. With `weight`, a component's area is the
   * number of its cells set in `weight` (the moving cells before dilation, so a dilated speck of noise stays small).
   */
  find(mask: Uint8Array, minArea: number, weight?: Uint8Array): number {
    const { width, height, runStart, runEnd, runRow, runArea, parent } = this;
    let runs = 0;
    let prevFirst = 0;
    let prevEnd = 0;
    for (let y = 0; y < height; y++) {
      const row = y * width;
      const first = runs;
      let x = 0;
      while (x < width) {
        if (mask[row + x] === 0) {
          x++;
          continue;
        }
        const start = x;
        let area = 0;
        while (x < width && mask[row + x] === 1) {
          area += weight === undefined ? 1 : weight[row + x];
          x++;
        }
        const r = runs++;
        runStart[r] = start;
        runEnd[r] = x;
        runRow[r] = y;
        runArea[r] = area;
        parent[r] = r;
        // Runs of the row above touching [start - 1, x] (8-connectivity).
        for (let p = prevFirst; p < prevEnd; p++) {
          if (runEnd[p] < start) continue;
          if (runStart[p] > x) break;
          union(parent, p, r);
        }
      }
      prevFirst = first;
      prevEnd = runs;
    }
    const { rootSlot, bx1, by1, bx2, by2, barea } = this;
    let roots = 0;
    for (let r = 0; r < runs; r++) {
      const root = findRoot(parent, r);
      let slot: number;
      if (root === r) {
        slot = roots++;
        rootSlot[r] = slot;
        bx1[slot] = runStart[r];
        bx2[slot] = runEnd[r];
        by1[slot] = runRow[r];
        by2[slot] = runRow[r] + 1;
        barea[slot] = runArea[r];
        continue;
      }
      slot = rootSlot[root];
      if (runStart[r] < bx1[slot]) bx1[slot] = runStart[r];
      if (runEnd[r] > bx2[slot]) bx2[slot] = runEnd[r];
      if (runRow[r] + 1 > by2[slot]) by2[slot] = runRow[r] + 1;
      barea[slot] += runArea[r];
    }
    this.count = 0;
    for (let b = 0; b < roots; b++) if (barea[b] >= minArea) this.keep(bx1[b], by1[b], bx2[b], by2[b], barea[b]);
    return this.count;
  }

  /** Blob `i` in the frame's pixels, given the size of one cell there. */
  box(i: number, cellWidth: number, cellHeight: number): Box {
    return { x1: this.x1[i] * cellWidth, y1: this.y1[i] * cellHeight, x2: this.x2[i] * cellWidth, y2: this.y2[i] * cellHeight };
  }

  private keep(x1: number, y1: number, x2: number, y2: number, area: number): void {
    let slot = this.count;
    if (slot === this.maxBlobs) {
      let smallest = 0;
      for (let k = 1; k < this.maxBlobs; k++) if (this.area[k] < this.area[smallest]) smallest = k;
      if (this.area[smallest] >= area) return;
      slot = smallest;
    } else {
      this.count++;
    }
    this.x1[slot] = x1;
    this.y1[slot] = y1;
    this.x2[slot] = x2;
    this.y2[slot] = y2;
    this.area[slot] = area;
  }
}

/** Roots always point to the smaller index, so a root is the first run of its component in scan order. */
function findRoot(parent: Int32Array, i: number): number {
  let r = i;
  while (parent[r] !== r) r = parent[r];
  while (parent[i] !== r) {
    const next = parent[i];
    parent[i] = r;
    i = next;
  }
  return r;
}

function union(parent: Int32Array, a: number, b: number): void {
  const ra = findRoot(parent, a);
  const rb = findRoot(parent, b);
  if (ra < rb) parent[rb] = ra;
  else if (rb < ra) parent[ra] = rb;
}
