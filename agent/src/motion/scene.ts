import type { Box, RgbImage } from '../core/geometry.ts';

/** Something new in the scene that has stayed still: foreground against the long-term background, at rest. */
export interface StaticBlob {
  /** Stable while the blob persists; counted per camera from 1. */
  id: number;
  /** Pixels of the analysed frame. */
  box: Box;
  /** Foreground area, pixels of the analysed frame. */
  area: number;
  /** When it came to rest (ms since the epoch). */
  since: number;
  lastSeen: number;
}

/** Why the scene model threw away what it had learned and took the current view as its background. */
export interface Rereference {
  at: number;
  reason: 'camera_moved' | 'scene_changed';
  /** `camera_moved`: the shift found between the old background and the new view, pixels of the analysed frame. */
  shift?: { dx: number; dy: number };
  /** Share of the view that no longer matched the background. */
  changedShare: number;
  /** A reference scene captured by an installer was replaced by the current view. */
  referenceLost: boolean;
}

export interface SceneUpdate {
  blobs: readonly StaticBlob[];
  rereferenced?: Rereference;
}

export interface SceneOptions {
  /** Time constant of the long-term background, learned on cells that match it (s). */
  learnSeconds?: number;
  /** Time constant of the short-term background: how soon a new thing counts as at rest (s). */
  settleSeconds?: number;
  /** Foreground that stays this long is taken into the background (s): nothing is static for ever. */
  absorbSeconds?: number;
  /** This share of the view differing from the background for `globalChangeSeconds` is a camera move or a new light. */
  globalChangeShare?: number;
  globalChangeSeconds?: number;
}

export interface SceneModel {
  /** Takes one analysed frame (in time order) and returns the static foreground blobs. */
  update(frame: RgbImage, at: number): SceneUpdate;
  /** The current view becomes the clean-scene reference: later foreground is whatever differs from it. */
  captureReference(): void;
  readonly hasReference: boolean;
  /** Grid cell size in analysed-frame pixels (the blobs' resolution). */
  readonly cellSize: number;
}

/** Luma samples per cell side: each cell is compared as a 4×4 patch. */
const K = 4;
const SAMPLES = K * K;
/** Patches with a standard deviation below this (0–255 luma) are flat: compared by brightness and colour only. */
const TEXTURE_STD = 6;
/** Textured patches correlating less than this (zero-mean, so brightness and contrast changes cancel) differ. */
const MIN_CORRELATION = 0.5;
/** Patch brightness against the background's, after the global gain: outside this range they differ. Shadows stay inside. */
const RATIO_LO = 0.55;
const RATIO_HI = 1.7;
/** Chromaticity distance (r, g of r+g+b) beyond which two lit patches differ. */
const CHROMA = 0.045;
/** Below this r+g+b chromaticity is noise. */
const CHROMA_MIN_SUM = 90;
/** A cell that stopped being static is kept this long, so flicker does not split or restart a blob. */
const HOLD_MS = 2000;
/** Blobs of fewer cells are noise. */
const MIN_CELLS = 2;
/** This share of the view changed is enough to look for a camera shift. */
const NUDGE_SHARE = 0.15;
/** An IR switch: one of view and background has less than this share of the other's colour. */
const IR_COLOUR_RATIO = 0.25;
/** Largest camera shift searched, in patch samples. */
const MAX_SHIFT = 3;

/**
 * Static foreground per camera: a long-term background learned slowly (only where the view matches it), a
 * short-term one that follows within seconds, and optionally an installer's reference scene. A cell whose 4×4 luma
 * patch and colour differ from the long-term background (or reference) but match the short-term one is something new
 * at rest. Patches are compared by zero-mean correlation, brightness ratio after a global gain, and chromaticity, so
 * lighting ramps and steps, auto exposure and shadows do not read as objects; a change over most of the view (IR
 * switch, camera nudged) makes the model take the new view as its background and report it.
 */
export function createSceneModel(width: number, height: number, opts: SceneOptions = {}): SceneModel {
  const learnMs = (opts.learnSeconds ?? 600) * 1000;
  const settleMs = (opts.settleSeconds ?? 3) * 1000;
  const absorbMs = (opts.absorbSeconds ?? 3600) * 1000;
  const globalShare = opts.globalChangeShare ?? 0.6;
  const globalMs = (opts.globalChangeSeconds ?? 2) * 1000;

  // About 96 cells across, in whole multiples of K pixels.
  const cell = Math.max(K, Math.round(Math.max(width, height) / 96 / K) * K);
  const cols = Math.floor(width / cell);
  const rows = Math.floor(height / cell);
  const cells = cols * rows;
  const sub = cell / K;
  const step = sub >= 4 ? 2 : 1;

  const frameL = new Float32Array(cells * SAMPLES);
  const frameC = new Float32Array(cells * 3);
  const longL = new Float32Array(cells * SAMPLES);
  const longC = new Float32Array(cells * 3);
  const shortL = new Float32Array(cells * SAMPLES);
  const shortC = new Float32Array(cells * 3);
  let refL: Float32Array | undefined;
  let refC: Float32Array | undefined;
  const differsLong = new Uint8Array(cells);
  const staticSince = new Float64Array(cells).fill(NaN);
  const lastStatic = new Float64Array(cells).fill(-Infinity);
  const label = new Int32Array(cells);
  const stack = new Int32Array(cells);
  const residuals = new Float32Array(cells);
  const light: Light = { gain: 1, offset: 0 };
  const lightShort: Light = { gain: 1, offset: 0 };

  let started = false;
  let lastAt = -Infinity;
  let globalSince: number | undefined;
  let nextId = 1;
  let blobs: StaticBlob[] = [];

  const load = (img: RgbImage) => {
    if (img.width !== width || img.height !== height)
      throw new Error(`scene: frame is ${img.width}×${img.height}; expected ${width}×${height} (the analysis size)`);
    const d = img.data;
    frameC.fill(0);
    const perSample = Math.ceil(sub / step) ** 2;
    for (let gy = 0; gy < rows * K; gy++) {
      const cy = (gy / K) | 0;
      const sy = gy % K;
      for (let gx = 0; gx < cols * K; gx++) {
        const cx = (gx / K) | 0;
        const sx = gx % K;
        let r = 0;
        let g = 0;
        let b = 0;
        for (let y = gy * sub; y < (gy + 1) * sub; y += step) {
          let i = (y * width + gx * sub) * 3;
          for (let x = 0; x < sub; x += step, i += 3 * step) {
            r += d[i];
            g += d[i + 1];
            b += d[i + 2];
          }
        }
        const k = cy * cols + cx;
        frameL[k * SAMPLES + sy * K + sx] = (0.299 * r + 0.587 * g + 0.114 * b) / perSample;
        frameC[k * 3] += r / perSample / SAMPLES;
        frameC[k * 3 + 1] += g / perSample / SAMPLES;
        frameC[k * 3 + 2] += b / perSample / SAMPLES;
      }
    }
  };

  const mean = (a: Float32Array, k: number) => {
    let s = 0;
    for (let i = k * SAMPLES; i < (k + 1) * SAMPLES; i++) s += a[i];
    return s / SAMPLES;
  };

  /**
   * The view's brightness as a linear function of the model's, fitted to the cell means with the outliers (the
   * things that really changed) trimmed: auto exposure, gain and the sky's light, not any one object.
   */
  const fitLight = (mL: Float32Array, out: Light) => {
    let a = 1;
    let c = 0;
    let limit = Infinity;
    for (let pass = 0; pass < 3; pass++) {
      let n = 0;
      let sx = 0;
      let sy = 0;
      let sxx = 0;
      let sxy = 0;
      let n2 = 0;
      for (let k = 0; k < cells; k++) {
        const x = mean(mL, k);
        const y = mean(frameL, k);
        if (x > 235 || y > 235) continue;
        const r = Math.abs(y - (a * x + c));
        if (pass > 0) residuals[n2++] = r;
        if (r > limit) continue;
        n++;
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
      }
      const den = n * sxx - sx * sx;
      if (n < 8 || den <= 0) break;
      a = (n * sxy - sx * sy) / den;
      c = (sy - a * sx) / n;
      if (pass > 0) {
        const r = residuals.subarray(0, n2).sort();
        limit = Math.max(6, 2.5 * r[n2 >> 1]);
      } else {
        limit = 40;
      }
    }
    out.gain = a > 0.2 && a < 5 ? a : 1;
    out.offset = a > 0.2 && a < 5 ? c : 0;
  };

  const differs = (k: number, mL: Float32Array, mC: Float32Array, light: Light): boolean => {
    const { gain, offset } = light;
    const o = k * SAMPLES;
    let mf = 0;
    let mb = 0;
    for (let i = 0; i < SAMPLES; i++) {
      mf += frameL[o + i];
      mb += mL[o + i];
    }
    mf /= SAMPLES;
    mb /= SAMPLES;
    const expected = gain * mb + offset;
    // Clipped highlights carry no texture or colour to compare.
    if (mf > 235 || expected > 235) return false;
    let vf = 0;
    let vb = 0;
    let cov = 0;
    for (let i = 0; i < SAMPLES; i++) {
      const df = frameL[o + i] - mf;
      const db = mL[o + i] - mb;
      vf += df * df;
      vb += db * db;
      cov += df * db;
    }
    const sf = Math.sqrt(vf / SAMPLES);
    const sb = Math.sqrt(vb / SAMPLES) * gain;
    if (Math.max(sf, sb) > TEXTURE_STD) {
      if (cov / Math.sqrt(vf * vb + 1e-6) < MIN_CORRELATION) return true;
      const contrast = (sf + 2) / (sb + 2);
      if (contrast < 0.5 || contrast > 2) return true;
    }
    const ratio = (mf + 8) / (Math.max(0, expected) + 8);
    if (ratio < RATIO_LO || ratio > RATIO_HI) return true;
    const c = k * 3;
    const fr = frameC[c];
    const fg = frameC[c + 1];
    const sumF = fr + fg + frameC[c + 2];
    const br = gain * mC[c] + offset;
    const bg = gain * mC[c + 1] + offset;
    const sumB = br + bg + gain * mC[c + 2] + offset;
    if (sumF > CHROMA_MIN_SUM && sumB > CHROMA_MIN_SUM) {
      if (Math.hypot(fr / sumF - br / sumB, fg / sumF - bg / sumB) > CHROMA) return true;
    }
    return false;
  };

  const blend = (model: Float32Array, frame: Float32Array, k: number, n: number, a: number) => {
    for (let i = k * n; i < (k + 1) * n; i++) model[i] += a * (frame[i] - model[i]);
  };

  /** The shift (in samples) that best lines the view up with the background, when it explains the change. */
  const findShift = (): { dx: number; dy: number } | undefined => {
    const w = cols * K;
    const h = rows * K;
    const at = (a: Float32Array, x: number, y: number) => {
      const cx = (x / K) | 0;
      const cy = (y / K) | 0;
      return a[(cy * cols + cx) * SAMPLES + (y % K) * K + (x % K)];
    };
    const sad = (dx: number, dy: number) => {
      let s = 0;
      let n = 0;
      for (let y = MAX_SHIFT; y < h - MAX_SHIFT; y += 2) {
        for (let x = MAX_SHIFT; x < w - MAX_SHIFT; x += 2) {
          s += Math.abs(at(frameL, x, y) - at(longL, x + dx, y + dy));
          n++;
        }
      }
      return s / Math.max(1, n);
    };
    const still = sad(0, 0);
    let best = { dx: 0, dy: 0, s: still };
    for (let dy = -MAX_SHIFT; dy <= MAX_SHIFT; dy++) {
      for (let dx = -MAX_SHIFT; dx <= MAX_SHIFT; dx++) {
        if (dx === 0 && dy === 0) continue;
        const s = sad(dx, dy);
        if (s < best.s) best = { dx, dy, s };
      }
    }
    return best.s < 0.6 * still ? { dx: best.dx * sub, dy: best.dy * sub } : undefined;
  };

  const rebase = () => {
    longL.set(frameL);
    longC.set(frameC);
    shortL.set(frameL);
    shortC.set(frameC);
    if (refL) {
      refL.set(frameL);
      refC!.set(frameC);
    }
    staticSince.fill(NaN);
    lastStatic.fill(-Infinity);
    blobs = [];
  };

  const labelBlobs = (at: number): StaticBlob[] => {
    label.fill(0);
    const found: StaticBlob[] = [];
    let next = 0;
    for (let k0 = 0; k0 < cells; k0++) {
      if (label[k0] !== 0 || at - lastStatic[k0] > HOLD_MS) continue;
      next++;
      let top = 0;
      stack[top++] = k0;
      label[k0] = next;
      let n = 0;
      let x1 = cols;
      let y1 = rows;
      let x2 = -1;
      let y2 = -1;
      let since = Infinity;
      while (top > 0) {
        const k = stack[--top];
        n++;
        const cx = k % cols;
        const cy = (k / cols) | 0;
        if (cx < x1) x1 = cx;
        if (cx > x2) x2 = cx;
        if (cy < y1) y1 = cy;
        if (cy > y2) y2 = cy;
        if (staticSince[k] < since) since = staticSince[k];
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const nx = cx + dx;
            const ny = cy + dy;
            if (nx < 0 || ny < 0 || nx >= cols || ny >= rows) continue;
            const nk = ny * cols + nx;
            if (label[nk] !== 0 || at - lastStatic[nk] > HOLD_MS) continue;
            label[nk] = next;
            stack[top++] = nk;
          }
        }
      }
      if (n < MIN_CELLS) continue;
      found.push({
        id: 0,
        box: { x1: x1 * cell, y1: y1 * cell, x2: (x2 + 1) * cell, y2: (y2 + 1) * cell },
        area: n * cell * cell,
        since,
        lastSeen: at,
      });
    }
    // Blobs keep their id (and the earliest rest time) across frames by overlap with the last frame's.
    for (const b of found) {
      const prev = blobs.find((p) => overlap(p.box, b.box) > 0.3);
      if (prev) {
        b.id = prev.id;
        b.since = Math.min(b.since, prev.since);
      } else {
        b.id = nextId++;
      }
    }
    return found;
  };

  return {
    cellSize: cell,
    get hasReference() {
      return refL !== undefined;
    },

    captureReference() {
      refL = Float32Array.from(shortL);
      refC = Float32Array.from(shortC);
      staticSince.fill(NaN);
      lastStatic.fill(-Infinity);
      blobs = [];
    },

    update(frame, at) {
      if (at < lastAt) throw new Error(`scene: time went backwards (${at} after ${lastAt}); expected frames in time order`);
      load(frame);
      if (!started) {
        started = true;
        lastAt = at;
        rebase();
        return { blobs: [] };
      }
      const dt = at - lastAt;
      lastAt = at;
      const aShort = 1 - Math.exp(-dt / settleMs);
      const aLong = 1 - Math.exp(-dt / learnMs);
      const aAbsorb = 1 - Math.exp(-dt / absorbMs);
      const mL = refL ?? longL;
      const mC = refC ?? longC;
      fitLight(mL, light);
      fitLight(shortL, lightShort);

      let changed = 0;
      for (let k = 0; k < cells; k++) {
        const fg = differs(k, mL, mC, light);
        differsLong[k] = fg ? 1 : 0;
        changed += differsLong[k];
      }
      const share = changed / cells;
      // A nudge of a few pixels changes only the textured part of the view: a shift that lines it up again gives it away.
      // An IR switch takes the colour out of (or back into) the whole view.
      const colourFrame = colourfulness(frameC, cells);
      const colourModel = colourfulness(mC, cells);
      const irSwitch = Math.min(colourFrame, colourModel) < IR_COLOUR_RATIO * Math.max(colourFrame, colourModel);
      if (share >= globalShare || irSwitch || (share >= NUDGE_SHARE && findShift())) {
        globalSince ??= at;
        if (at - globalSince >= globalMs) {
          const shift = findShift();
          const referenceLost = refL !== undefined;
          rebase();
          globalSince = undefined;
          return {
            blobs: [],
            rereferenced: {
              at,
              reason: shift ? 'camera_moved' : 'scene_changed',
              ...(shift && { shift }),
              changedShare: share,
              referenceLost,
            },
          };
        }
        // While the view is in upheaval nothing is learned and nothing new counts as at rest.
        blend(shortL, frameL, 0, cells * SAMPLES, aShort);
        blend(shortC, frameC, 0, cells * 3, aShort);
        return { blobs: blobs.filter((b) => at - b.lastSeen <= HOLD_MS) };
      }
      globalSince = undefined;

      for (let k = 0; k < cells; k++) {
        const atRest = !differs(k, shortL, shortC, lightShort);
        if (differsLong[k]) {
          if (atRest) {
            if (at - lastStatic[k] > HOLD_MS) staticSince[k] = at;
            lastStatic[k] = at;
          }
          // Foreground is learned only very slowly, so a thing left in the street stays foreground for its dwell.
          blend(longL, frameL, k, SAMPLES, aAbsorb);
          blend(longC, frameC, k, 3, aAbsorb);
        } else {
          blend(longL, frameL, k, SAMPLES, aLong);
          blend(longC, frameC, k, 3, aLong);
        }
        blend(shortL, frameL, k, SAMPLES, aShort);
        blend(shortC, frameC, k, 3, aShort);
      }
      blobs = labelBlobs(at);
      return { blobs };
    },
  };
}

/** Mean chromaticity distance from grey over the cells: near 0 for an IR (monochrome) picture. */
function colourfulness(rgb: Float32Array, cells: number): number {
  let s = 0;
  for (let k = 0; k < cells; k++) {
    const r = rgb[k * 3];
    const g = rgb[k * 3 + 1];
    const b = rgb[k * 3 + 2];
    const sum = r + g + b + 1e-3;
    s += Math.abs(r / sum - 1 / 3) + Math.abs(g / sum - 1 / 3) + Math.abs(b / sum - 1 / 3);
  }
  return s / cells;
}

/** View brightness ≈ gain × model brightness + offset. */
interface Light {
  gain: number;
  offset: number;
}

/** Intersection over the smaller box: a blob growing or shrinking is still the same blob. */
function overlap(a: Box, b: Box): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / Math.min((a.x2 - a.x1) * (a.y2 - a.y1), (b.x2 - b.x1) * (b.y2 - b.y1));
}
