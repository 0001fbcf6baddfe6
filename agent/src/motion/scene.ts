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
 * For this long after the background is taken from a view (start, re-reference), what comes to rest where it differs
 * is the background uncovered: a passer-by in that first view walked on and left a ghost, which would otherwise stand
 * as static foreground until absorbed. Without an installer's reference nothing better is known of the clean scene.
 */
const UNCOVER_MS = 10_000;

/**
 * Static foreground per camera: a long-term background learned slowly (only where the view matches it), a
 * short-term one that follows within seconds, and optionally an installer's reference scene. A cell whose 4×4 luma
 * patch and colour differ from the long-term background (or reference) but match the short-term one is something new
 * at rest. Patches are compared by zero-mean correlation, brightness ratio after a global gain, and chromaticity, so
 * lighting ramps and steps, auto exposure and shadows do not read as objects; a change over most of the view (IR
 * switch, camera nudged) makes the model take the new view as its background and report it.
 * A thin object over a `SceneState` and the functions below.
 */
export function createSceneModel(width: number, height: number, opts: SceneOptions = {}): SceneModel {
  const state = createSceneState(width, height, opts);
  return {
    cellSize: state.grid.cell,
    get hasReference() {
      return state.ref !== undefined;
    },
    captureReference: () => captureReference(state),
    update: (frame, at) => updateScene(state, frame, at),
  };
}

/** The grid of cells the scene is judged on: about 96 cells across, each `cell` pixels, sampled K×K. */
export interface SceneGrid {
  width: number;
  height: number;
  /** Cell side, a whole multiple of K pixels. */
  cell: number;
  cols: number;
  rows: number;
  cells: number;
  /** Pixels per sample side. */
  sub: number;
  /** Pixel stride within a sample (every other pixel on large samples). */
  step: number;
}

export function sceneGrid(width: number, height: number): SceneGrid {
  const cell = Math.max(K, Math.round(Math.max(width, height) / 96 / K) * K);
  const cols = Math.floor(width / cell);
  const rows = Math.floor(height / cell);
  const sub = cell / K;
  return { width, height, cell, cols, rows, cells: cols * rows, sub, step: sub >= 4 ? 2 : 1 };
}

/** The scene's time constants in ms, defaults filled in. */
export interface SceneSettings {
  learnMs: number;
  settleMs: number;
  absorbMs: number;
  globalShare: number;
  globalMs: number;
}

export function sceneSettings(opts: SceneOptions): SceneSettings {
  return {
    learnMs: (opts.learnSeconds ?? 600) * 1000,
    settleMs: (opts.settleSeconds ?? 3) * 1000,
    absorbMs: (opts.absorbSeconds ?? 3600) * 1000,
    globalShare: opts.globalChangeShare ?? 0.6,
    globalMs: (opts.globalChangeSeconds ?? 2) * 1000,
  };
}

/** A view (or a model of it) as patches: K×K luma samples per cell, and each cell's mean colour. */
export interface Patches {
  /** `cells × SAMPLES` luma samples. */
  l: Float32Array;
  /** `cells × 3` mean r, g, b. */
  c: Float32Array;
}

export function emptyPatches(cells: number): Patches {
  return { l: new Float32Array(cells * SAMPLES), c: new Float32Array(cells * 3) };
}

/** View brightness ≈ gain × model brightness + offset. */
export interface Light {
  gain: number;
  offset: number;
}

/** Everything one camera's scene model remembers between frames (and the scratch buffers it reuses). */
export interface SceneState {
  readonly grid: SceneGrid;
  readonly settings: SceneSettings;
  /** The latest frame. */
  readonly frame: Patches;
  /** The long-term background. */
  readonly long: Patches;
  /** The short-term background. */
  readonly short: Patches;
  /** The installer's clean-scene reference, when captured. */
  ref: Patches | undefined;
  /** Per cell: the latest frame differs from the long-term background (or reference). */
  readonly differsLong: Uint8Array;
  /** Per cell: since when it has been static foreground (NaN: not static). */
  readonly staticSince: Float64Array;
  /** Per cell: the latest frame it was static foreground. */
  readonly lastStatic: Float64Array;
  readonly label: Int32Array;
  readonly stack: Int32Array;
  readonly residuals: Float32Array;
  started: boolean;
  lastAt: number;
  /** When the background was last taken from a view as it was (start, re-reference). */
  basedAt: number;
  /** Since when most of the view has differed (a camera move or new light in the making). */
  globalSince: number | undefined;
  nextId: number;
  blobs: StaticBlob[];
}

export function createSceneState(width: number, height: number, opts: SceneOptions = {}): SceneState {
  const grid = sceneGrid(width, height);
  const { cells } = grid;
  return {
    grid,
    settings: sceneSettings(opts),
    frame: emptyPatches(cells),
    long: emptyPatches(cells),
    short: emptyPatches(cells),
    ref: undefined,
    differsLong: new Uint8Array(cells),
    staticSince: new Float64Array(cells).fill(NaN),
    lastStatic: new Float64Array(cells).fill(-Infinity),
    label: new Int32Array(cells),
    stack: new Int32Array(cells),
    residuals: new Float32Array(cells),
    started: false,
    lastAt: -Infinity,
    basedAt: -Infinity,
    globalSince: undefined,
    nextId: 1,
    blobs: [],
  };
}

/** The current view becomes the clean-scene reference: later foreground is whatever differs from it. */
export function captureReference(state: SceneState): void {
  state.ref = { l: Float32Array.from(state.short.l), c: Float32Array.from(state.short.c) };
  forgetStatic(state);
}

/** Takes one analysed frame (in time order) and returns the static foreground blobs. */
export function updateScene(state: SceneState, img: RgbImage, at: number): SceneUpdate {
  if (at < state.lastAt) throw new Error(`scene: time went backwards (${at} after ${state.lastAt}); expected frames in time order`);
  loadPatches(state.grid, img, state.frame);
  if (!state.started) {
    state.started = true;
    state.lastAt = at;
    rebase(state, at);
    return { blobs: [] };
  }
  const dt = at - state.lastAt;
  state.lastAt = at;
  const { settings, grid } = state;
  const model = state.ref ?? state.long;
  const aShort = 1 - Math.exp(-dt / settings.settleMs);
  const share = markDiffering(state, model, fitLight(grid, model.l, state.frame.l, state.residuals));
  if (inUpheaval(state, model, share)) {
    state.globalSince ??= at;
    if (at - state.globalSince >= settings.globalMs) return { blobs: [], rereferenced: rereference(state, at, share) };
    // While the view is in upheaval nothing is learned and nothing new counts as at rest.
    blend(state.short.l, state.frame.l, 0, grid.cells * SAMPLES, aShort);
    blend(state.short.c, state.frame.c, 0, grid.cells * 3, aShort);
    return { blobs: state.blobs.filter((b) => at - b.lastSeen <= HOLD_MS) };
  }
  state.globalSince = undefined;
  learn(state, at, dt);
  state.blobs = carryBlobIds(state, labelBlobs(state, at));
  return { blobs: state.blobs };
}

/** Marks the cells differing from the model (after the global light fit); returns the share of the view they cover. */
function markDiffering(state: SceneState, model: Patches, light: Light): number {
  let changed = 0;
  for (let k = 0; k < state.grid.cells; k++) {
    state.differsLong[k] = patchDiffers(state.frame, model, k, light) ? 1 : 0;
    changed += state.differsLong[k];
  }
  return changed / state.grid.cells;
}

/**
 * Most of the view differs, the colour went out of it (or came back), or a smaller change is explained by a shift:
 * a nudge of a few pixels changes only the textured part of the view, and a shift that lines it up again gives it
 * away. An IR switch takes the colour out of (or back into) the whole view.
 */
function inUpheaval(state: SceneState, model: Patches, share: number): boolean {
  const { grid } = state;
  return (
    share >= state.settings.globalShare ||
    isIrSwitch(colourfulness(state.frame.c, grid.cells), colourfulness(model.c, grid.cells)) ||
    (share >= NUDGE_SHARE && findShift(grid, state.frame.l, state.long.l) !== undefined)
  );
}

/** One of the two pictures has hardly any of the other's colour: the camera switched to or from infrared. */
export function isIrSwitch(colourA: number, colourB: number): boolean {
  return Math.min(colourA, colourB) < IR_COLOUR_RATIO * Math.max(colourA, colourB);
}

/** The view has changed for good: it becomes the background (and the reference), and what changed is reported. */
function rereference(state: SceneState, at: number, share: number): Rereference {
  const shift = findShift(state.grid, state.frame.l, state.long.l);
  const referenceLost = state.ref !== undefined;
  rebase(state, at);
  state.globalSince = undefined;
  return { at, reason: shift ? 'camera_moved' : 'scene_changed', ...(shift && { shift }), changedShare: share, referenceLost };
}

/**
 * Cells differing from the background but matching the short-term one are at rest; the backgrounds learn the frame,
 * foreground only very slowly, so a thing left in the street stays foreground for its dwell.
 */
function learn(state: SceneState, at: number, dt: number): void {
  const { settings, frame, long, short, differsLong, lastStatic, staticSince } = state;
  const aShort = 1 - Math.exp(-dt / settings.settleMs);
  const aLong = 1 - Math.exp(-dt / settings.learnMs);
  const aAbsorb = 1 - Math.exp(-dt / settings.absorbMs);
  const lightShort = fitLight(state.grid, short.l, frame.l, state.residuals);
  const uncovering = !state.ref && at - state.basedAt < UNCOVER_MS;
  for (let k = 0; k < state.grid.cells; k++) {
    const atRest = !patchDiffers(frame, short, k, lightShort);
    const a = !differsLong[k] ? aLong : uncovering && atRest ? 1 : aAbsorb;
    if (differsLong[k] && atRest && !uncovering) {
      if (at - lastStatic[k] > HOLD_MS) staticSince[k] = at;
      lastStatic[k] = at;
    }
    blend(long.l, frame.l, k, SAMPLES, a);
    blend(long.c, frame.c, k, 3, a);
    blend(short.l, frame.l, k, SAMPLES, aShort);
    blend(short.c, frame.c, k, 3, aShort);
  }
}

/** Reads an analysed frame into `out` as patches. */
export function loadPatches(grid: SceneGrid, img: RgbImage, out: Patches): void {
  const { width, height, cols, rows, sub, step } = grid;
  if (img.width !== width || img.height !== height)
    throw new Error(`scene: frame is ${img.width}×${img.height}; expected ${width}×${height} (the analysis size)`);
  const d = img.data;
  out.c.fill(0);
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
      out.l[k * SAMPLES + sy * K + sx] = (0.299 * r + 0.587 * g + 0.114 * b) / perSample;
      out.c[k * 3] += r / perSample / SAMPLES;
      out.c[k * 3 + 1] += g / perSample / SAMPLES;
      out.c[k * 3 + 2] += b / perSample / SAMPLES;
    }
  }
}

function cellMean(a: Float32Array, k: number): number {
  let s = 0;
  for (let i = k * SAMPLES; i < (k + 1) * SAMPLES; i++) s += a[i];
  return s / SAMPLES;
}

/**
 * The view's brightness as a linear function of the model's, fitted to the cell means with the outliers (the
 * things that really changed) trimmed: auto exposure, gain and the sky's light, not any one object.
 * `residuals` is scratch space of one value per cell.
 */
export function fitLight(grid: SceneGrid, model: Float32Array, frame: Float32Array, residuals: Float32Array): Light {
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
    for (let k = 0; k < grid.cells; k++) {
      const x = cellMean(model, k);
      const y = cellMean(frame, k);
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
    limit = pass > 0 ? Math.max(6, 2.5 * residuals.subarray(0, n2).sort()[n2 >> 1]) : 40;
  }
  return a > 0.2 && a < 5 ? { gain: a, offset: c } : { gain: 1, offset: 0 };
}

/**
 * Cell `k` of the view differs from the model's: its texture (zero-mean correlation, contrast), its brightness
 * against the model's under the fitted light, or its chromaticity. Shadows and light changes stay inside the bounds.
 */
export function patchDiffers(frame: Patches, model: Patches, k: number, light: Light): boolean {
  const { gain, offset } = light;
  const fL = frame.l;
  const mL = model.l;
  const o = k * SAMPLES;
  let mf = 0;
  let mb = 0;
  for (let i = 0; i < SAMPLES; i++) {
    mf += fL[o + i];
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
    const df = fL[o + i] - mf;
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
  return colourDiffers(frame.c, model.c, k, light);
}

/** The cell's chromaticity is off the model's (compared only where both are lit enough to carry colour). */
function colourDiffers(fC: Float32Array, mC: Float32Array, k: number, { gain, offset }: Light): boolean {
  const c = k * 3;
  const fr = fC[c];
  const fg = fC[c + 1];
  const sumF = fr + fg + fC[c + 2];
  const br = gain * mC[c] + offset;
  const bg = gain * mC[c + 1] + offset;
  const sumB = br + bg + gain * mC[c + 2] + offset;
  if (sumF <= CHROMA_MIN_SUM || sumB <= CHROMA_MIN_SUM) return false;
  return Math.hypot(fr / sumF - br / sumB, fg / sumF - bg / sumB) > CHROMA;
}

/** Moves cell `k`'s `n` values of `model` towards `frame` by `a` (exponential forgetting). */
function blend(model: Float32Array, frame: Float32Array, k: number, n: number, a: number): void {
  for (let i = k * n; i < (k + 1) * n; i++) model[i] += a * (frame[i] - model[i]);
}

/** The shift (pixels of the analysed frame) that best lines the view up with the background, when it explains the change. */
export function findShift(grid: SceneGrid, frameL: Float32Array, longL: Float32Array): { dx: number; dy: number } | undefined {
  const still = shiftedDifference(grid, frameL, longL, 0, 0);
  let best = { dx: 0, dy: 0, s: still };
  for (let dy = -MAX_SHIFT; dy <= MAX_SHIFT; dy++) {
    for (let dx = -MAX_SHIFT; dx <= MAX_SHIFT; dx++) {
      if (dx === 0 && dy === 0) continue;
      const s = shiftedDifference(grid, frameL, longL, dx, dy);
      if (s < best.s) best = { dx, dy, s };
    }
  }
  return best.s < 0.6 * still ? { dx: best.dx * grid.sub, dy: best.dy * grid.sub } : undefined;
}

/** Mean absolute luma difference between the view and the background shifted by (dx, dy) samples, on every other sample. */
function shiftedDifference(grid: SceneGrid, frameL: Float32Array, longL: Float32Array, dx: number, dy: number): number {
  const { cols, rows } = grid;
  const w = cols * K;
  const h = rows * K;
  const sampleAt = (a: Float32Array, x: number, y: number) => {
    const cx = (x / K) | 0;
    const cy = (y / K) | 0;
    return a[(cy * cols + cx) * SAMPLES + (y % K) * K + (x % K)];
  };
  let s = 0;
  let n = 0;
  for (let y = MAX_SHIFT; y < h - MAX_SHIFT; y += 2) {
    for (let x = MAX_SHIFT; x < w - MAX_SHIFT; x += 2) {
      s += Math.abs(sampleAt(frameL, x, y) - sampleAt(longL, x + dx, y + dy));
      n++;
    }
  }
  return s / Math.max(1, n);
}

/** The current frame becomes every background (and the reference): nothing is foreground any more. */
function rebase(state: SceneState, at: number): void {
  const { frame } = state;
  state.basedAt = at;
  for (const model of [state.long, state.short, state.ref]) {
    model?.l.set(frame.l);
    model?.c.set(frame.c);
  }
  forgetStatic(state);
}

function forgetStatic(state: SceneState): void {
  state.staticSince.fill(NaN);
  state.lastStatic.fill(-Infinity);
  state.blobs = [];
}

/** A cell counts as static while it was static foreground within the last `HOLD_MS`. */
function isStatic(state: SceneState, k: number, at: number): boolean {
  return at - state.lastStatic[k] <= HOLD_MS;
}

/** The static cells grouped into blobs (8-connected, at least `MIN_CELLS`), ids not yet given (0). */
export function labelBlobs(state: SceneState, at: number): StaticBlob[] {
  state.label.fill(0);
  const found: StaticBlob[] = [];
  let next = 0;
  for (let k0 = 0; k0 < state.grid.cells; k0++) {
    if (state.label[k0] !== 0 || !isStatic(state, k0, at)) continue;
    const blob = floodBlob(state, k0, ++next, at);
    if (blob) found.push(blob);
  }
  return found;
}

/** Labels the static cells connected to `k0` with `mark`; their blob, or `undefined` when it is too small to count. */
function floodBlob(state: SceneState, k0: number, mark: number, at: number): StaticBlob | undefined {
  const { grid, label, stack, staticSince } = state;
  const { cols, rows, cell } = grid;
  let top = 0;
  stack[top++] = k0;
  label[k0] = mark;
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
    x1 = Math.min(x1, cx);
    x2 = Math.max(x2, cx);
    y1 = Math.min(y1, cy);
    y2 = Math.max(y2, cy);
    if (staticSince[k] < since) since = staticSince[k];
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const nx = cx + dx;
        const ny = cy + dy;
        if (nx < 0 || ny < 0 || nx >= cols || ny >= rows) continue;
        const nk = ny * cols + nx;
        if (label[nk] !== 0 || !isStatic(state, nk, at)) continue;
        label[nk] = mark;
        stack[top++] = nk;
      }
    }
  }
  if (n < MIN_CELLS) return undefined;
  const box = { x1: x1 * cell, y1: y1 * cell, x2: (x2 + 1) * cell, y2: (y2 + 1) * cell };
  return { id: 0, box, area: n * cell * cell, since, lastSeen: at };
}

/** Blobs keep their id (and the earliest rest time) across frames by overlap with the last frame's; new ones get the next id. */
export function carryBlobIds(state: SceneState, found: StaticBlob[]): StaticBlob[] {
  for (const b of found) {
    const prev = state.blobs.find((p) => overlap(p.box, b.box) > 0.3);
    if (prev) {
      b.id = prev.id;
      b.since = Math.min(b.since, prev.since);
    } else {
      b.id = state.nextId++;
    }
  }
  return found;
}

/** Mean chromaticity distance from grey over the cells: near 0 for an IR (monochrome) picture. */
export function colourfulness(rgb: Float32Array, cells: number): number {
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

/** Intersection over the smaller box: a blob growing or shrinking is still the same blob. */
function overlap(a: Box, b: Box): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / Math.min((a.x2 - a.x1) * (a.y2 - a.y1), (b.x2 - b.x1) * (b.y2 - b.y1));
}
