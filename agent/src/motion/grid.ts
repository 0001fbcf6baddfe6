import { type Point, pointInPolygon, type RgbImage } from '../core/geometry.ts';

/**
 * The analysis frame scaled down to a coarse luma grid (each cell the mean of 2×2 taps of its footprint), then
 * contrast normalised: the 4th–96th percentile of the unmasked cells stretched to 0–255, so a camera's auto
 * exposure and gain drifts do not read as motion. Buffers are sized once per frame size; `load` allocates nothing.
 */
export class LumaGrid {
  readonly width: number;
  readonly height: number;
  readonly cells: number;
  /** Normalised luma, 0–255, one byte per cell. */
  readonly luma: Uint8Array;
  /** 1 where the cell is analysed, 0 where a mask covers it. */
  readonly active: Uint8Array;
  readonly activeCells: number;
  /** Mean raw luma (before normalisation) of the active cells in the last `load`. */
  rawMean = 0;
  private readonly raw: Uint8Array;
  private stretchLo = -1;
  private stretchHi = -1;
  private readonly hist = new Uint32Array(256);
  private readonly stretch = new Uint8Array(256);
  private readonly xTap: Int32Array;
  private readonly yTap: Int32Array;

  constructor(
    readonly frameWidth: number,
    readonly frameHeight: number,
    rows: number,
    masks: readonly (readonly Point[])[] = [],
    private readonly stretchRate = 0.02,
  ) {
    this.height = Math.max(1, Math.min(rows, frameHeight));
    this.width = Math.max(1, Math.round((frameWidth * this.height) / frameHeight));
    this.cells = this.width * this.height;
    this.luma = new Uint8Array(this.cells);
    this.raw = new Uint8Array(this.cells);
    // Two taps per axis at ¼ and ¾ of the cell's footprint, as byte offsets into the RGB row / as rows.
    this.xTap = new Int32Array(this.width * 2);
    this.yTap = new Int32Array(this.height * 2);
    const sx = frameWidth / this.width;
    const sy = frameHeight / this.height;
    for (let x = 0; x < this.width; x++) {
      this.xTap[2 * x] = Math.min(frameWidth - 1, Math.floor((x + 0.25) * sx)) * 3;
      this.xTap[2 * x + 1] = Math.min(frameWidth - 1, Math.floor((x + 0.75) * sx)) * 3;
    }
    for (let y = 0; y < this.height; y++) {
      this.yTap[2 * y] = Math.min(frameHeight - 1, Math.floor((y + 0.25) * sy));
      this.yTap[2 * y + 1] = Math.min(frameHeight - 1, Math.floor((y + 0.75) * sy));
    }
    this.active = rasteriseMasks(masks, this.width, this.height);
    let n = 0;
    for (let i = 0; i < this.cells; i++) n += this.active[i];
    this.activeCells = n;
  }

  /** Forgets the contrast stretch: the next `load` takes the picture's own (after a lighting change). */
  resetStretch(): void {
    this.stretchLo = -1;
    this.stretchHi = -1;
  }

  /** Frame pixels per grid cell across. */
  get cellWidth(): number {
    return this.frameWidth / this.width;
  }

  /** Frame pixels per grid cell down. */
  get cellHeight(): number {
    return this.frameHeight / this.height;
  }

  load(image: RgbImage): void {
    if (image.width !== this.frameWidth || image.height !== this.frameHeight) {
      throw new Error(
        `motion: frame is ${image.width}×${image.height}; expected ${this.frameWidth}×${this.frameHeight} (the analysis size)`,
      );
    }
    const { data } = image;
    const { raw, hist, active, xTap, yTap, width, height } = this;
    const stride = this.frameWidth * 3;
    hist.fill(0);
    let sum = 0;
    for (let y = 0; y < height; y++) {
      const r0 = yTap[2 * y] * stride;
      const r1 = yTap[2 * y + 1] * stride;
      const row = y * width;
      for (let x = 0; x < width; x++) {
        const i = row + x;
        if (active[i] === 0) {
          raw[i] = 0;
          continue;
        }
        const a = r0 + xTap[2 * x];
        const b = r0 + xTap[2 * x + 1];
        const c = r1 + xTap[2 * x];
        const d = r1 + xTap[2 * x + 1];
        // BT.601 luma in fixed point (77, 150, 29 / 256), summed over the four taps.
        const l =
          77 * (data[a] + data[b] + data[c] + data[d]) +
          150 * (data[a + 1] + data[b + 1] + data[c + 1] + data[d + 1]) +
          29 * (data[a + 2] + data[b + 2] + data[c + 2] + data[d + 2]);
        const v = l >> 10;
        raw[i] = v;
        hist[v]++;
        sum += v;
      }
    }
    const n = this.activeCells;
    this.rawMean = n > 0 ? sum / n : 0;
    const lo = percentile(hist, n, 0.04);
    const hi = percentile(hist, n, 0.96);
    // The stretch follows the picture slowly (a white car entering must not re-map the whole frame) and is capped,
    // so a flat scene (grey asphalt) does not have its sensor noise amplified into motion.
    if (this.stretchLo < 0) {
      this.stretchLo = lo;
      this.stretchHi = hi;
    } else {
      this.stretchLo += this.stretchRate * (lo - this.stretchLo);
      this.stretchHi += this.stretchRate * (hi - this.stretchHi);
    }
    const span = Math.max(MIN_SPAN, this.stretchHi - this.stretchLo);
    const base = (this.stretchLo + this.stretchHi - span) / 2;
    // The stretch as a table over the 256 raw values, then one lookup per cell (masked cells' raw 0 maps to 0).
    const { luma, stretch } = this;
    for (let v = 0; v < 256; v++) {
      const s = ((v - base) * 255) / span;
      stretch[v] = s < 0 ? 0 : Math.min(s, 255);
    }
    for (let i = 0; i < this.cells; i++) luma[i] = stretch[raw[i]] * active[i];
  }
}

/** The narrowest luma range (0–255) stretched to full scale: at most 4× gain. */
const MIN_SPAN = 64;

function percentile(hist: Uint32Array, n: number, q: number): number {
  const target = n * q;
  let acc = 0;
  for (let v = 0; v < 256; v++) {
    acc += hist[v];
    if (acc > target) return v;
  }
  return 255;
}

/** 1 for cells whose centre lies outside every polygon (normalised 0..1), 0 inside one. Once per grid, not per frame. */
export function rasteriseMasks(masks: readonly (readonly Point[])[], width: number, height: number): Uint8Array {
  const active = new Uint8Array(width * height).fill(1);
  for (const poly of masks) {
    for (let y = 0; y < height; y++) {
      const py = (y + 0.5) / height;
      for (let x = 0; x < width; x++) {
        if (pointInPolygon([(x + 0.5) / width, py], poly)) active[y * width + x] = 0;
      }
    }
  }
  return active;
}
