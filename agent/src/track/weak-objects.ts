import { FAINT_TRACK_ID_BASE } from '../contract/track-id.ts';
import type { Box } from '../core/geometry.ts';
import type { Detection } from '../detect/types.ts';
import type { FrameView } from './tracker.ts';
import type { Track, TrackSample } from './types.ts';

/**
 * Objects the model scores too low to track (produce on a stall at 0.26–0.40) but finds at the same place in most of
 * the frames that looked there: many weak detections taken together as the evidence one strong detection would be.
 * Only the labels asked for are followed (goods, never people or vehicles), and only what stays put adds up: a
 * passer-by's umbrella is somewhere else in every frame, and clutter that flickers never holds its presence.
 */
export interface WeakObjectOptions {
  labels: readonly string[];
  /** The weakest detection counted (the detector's default threshold). */
  minScore?: number;
  /** Time constant of the presence (s): how fast looks at the place with and without the object move it. */
  horizonSeconds?: number;
  /**
   * Mean score an object needs to count: clutter sits at the detector's floor (bus.jpg's windscreen is an "umbrella"
   * at 0.26 in every frame), goods on a stall score above it.
   */
  minMeanScore?: number;
  /** Presence (0–1, the recent share of looks that found it) at which the object is taken as there. */
  minPresence?: number;
  /** The place must have been looked at over at least this long since the first find before the object counts (s). */
  settleSeconds?: number;
  /** Places followed at once; the least present one gives way to a new one. */
  capacity?: number;
}

export interface WeakObjects {
  /**
   * One analysed frame's detections (time order); `view` as for the tracker: places the detector did not look at
   * neither gain nor lose presence. Returns the objects that count now, as standing tracks.
   */
  update(detections: readonly Detection[], at: number, view?: FrameView): Track[];
  /** Places still being judged, as tracks to be looked at again (motion-gated detection re-checks them). */
  pending(): Track[];
  /** The labels followed from now on; places of other labels are forgotten. */
  setLabels(labels: readonly string[]): void;
}

/** A detection overlapping a followed place this much (IoU) is the same object. */
const SAME_PLACE_IOU = 0.5;
/** A place whose presence fell below this is forgotten. */
const FORGET_PRESENCE = 0.1;
/** An object that counts keeps counting until its presence falls below this share of `minPresence` (passers-by hide it). */
const KEEP_SHARE = 0.5;
/** Finds it takes before an object can count. */
const MIN_HITS = 3;
/** The box follows the latest finds with this weight at most (a running mean over the first ones). */
const BOX_WEIGHT = 0.1;
const NO_HISTORY: readonly TrackSample[] = Object.freeze([]);

export function createWeakObjects(options: WeakObjectOptions): WeakObjects {
  const s = createWeakState(options);
  return {
    update(detections, at, view) {
      if (!Number.isFinite(at) || at < s.lastAt)
        throw new Error(`weak objects: expected frames in time order, got ${at} after ${s.lastAt}`);
      s.lastAt = at;
      s.hitNow.fill(0);
      for (const d of detections) take(s, d, at);
      judge(s, at, view);
      const out: Track[] = [];
      for (let i = 0; i < s.n; i++) if (s.label[i] >= 0 && s.counts[i]) out.push(asTrack(s, i, at, false));
      return out;
    },
    pending() {
      const out: Track[] = [];
      for (let i = 0; i < s.n; i++) if (s.label[i] >= 0 && !s.counts[i]) out.push(asTrack(s, i, s.lastAt, true));
      return out;
    },
    setLabels(next) {
      const before = s.labels;
      s.labels = [...next];
      for (let i = 0; i < s.n; i++) if (s.label[i] >= 0) s.label[i] = s.labels.indexOf(before[s.label[i]]);
    },
  };
}

/** One slot per followed place, in typed arrays: no allocation per detection or per frame. */
interface WeakState {
  readonly n: number;
  readonly minScore: number;
  readonly minMeanScore: number;
  readonly tauMs: number;
  readonly minPresence: number;
  readonly settleMs: number;
  labels: string[];
  /** Index into `labels`; -1: a free slot. */
  readonly label: Int16Array;
  readonly classId: Int32Array;
  /** x1, y1, x2, y2 per slot. */
  readonly box: Float64Array;
  readonly firstAt: Float64Array;
  readonly lastLook: Float64Array;
  readonly lastHit: Float64Array;
  readonly presence: Float64Array;
  readonly scoreSum: Float64Array;
  readonly lastScore: Float64Array;
  readonly hits: Uint32Array;
  readonly ids: Uint32Array;
  readonly counts: Uint8Array;
  /** Found in the frame being taken. */
  readonly hitNow: Uint8Array;
  readonly scratch: Box;
  nextId: number;
  lastAt: number;
}

function createWeakState(o: WeakObjectOptions): WeakState {
  const n = o.capacity ?? 64;
  const minPresence = o.minPresence ?? 0.6;
  if (!(minPresence > 0 && minPresence <= 1)) throw new Error(`weak objects: expected minPresence in (0, 1], got ${minPresence}`);
  return {
    n,
    minScore: o.minScore ?? 0.25,
    minMeanScore: o.minMeanScore ?? 0.3,
    tauMs: (o.horizonSeconds ?? 10) * 1000,
    minPresence,
    settleMs: (o.settleSeconds ?? 10) * 1000,
    labels: [...o.labels],
    label: new Int16Array(n).fill(-1),
    classId: new Int32Array(n),
    box: new Float64Array(4 * n),
    firstAt: new Float64Array(n),
    lastLook: new Float64Array(n),
    lastHit: new Float64Array(n),
    presence: new Float64Array(n),
    scoreSum: new Float64Array(n),
    lastScore: new Float64Array(n),
    hits: new Uint32Array(n),
    ids: new Uint32Array(n),
    counts: new Uint8Array(n),
    hitNow: new Uint8Array(n),
    scratch: { x1: 0, y1: 0, x2: 0, y2: 0 },
    nextId: 1,
    lastAt: -Infinity,
  };
}

function boxOf(s: WeakState, i: number, out: Box): Box {
  out.x1 = s.box[4 * i];
  out.y1 = s.box[4 * i + 1];
  out.x2 = s.box[4 * i + 2];
  out.y2 = s.box[4 * i + 3];
  return out;
}

function overlap(s: WeakState, i: number, b: Box): number {
  const { box } = s;
  const ix = Math.min(box[4 * i + 2], b.x2) - Math.max(box[4 * i], b.x1);
  const iy = Math.min(box[4 * i + 3], b.y2) - Math.max(box[4 * i + 1], b.y1);
  if (ix <= 0 || iy <= 0) return 0;
  const inter = ix * iy;
  const a = (box[4 * i + 2] - box[4 * i]) * (box[4 * i + 3] - box[4 * i + 1]);
  return inter / (a + (b.x2 - b.x1) * (b.y2 - b.y1) - inter);
}

/** One detection: the place it is found at gains presence, or a new place is followed. */
function take(s: WeakState, d: Detection, at: number): void {
  if (d.score < s.minScore) return;
  const l = s.labels.indexOf(d.label);
  if (l < 0) return;
  const i = placeOf(s, l, d.box);
  if (i >= 0) hit(s, i, d, at);
  else {
    const slot = freeSlot(s);
    if (slot >= 0) start(s, slot, l, d, at);
  }
}

/** The followed place of label `l` best overlapping `b`, not yet found this frame; -1 when none is the same place. */
function placeOf(s: WeakState, l: number, b: Box): number {
  let best = -1;
  let bestIou = SAME_PLACE_IOU;
  for (let i = 0; i < s.n; i++) {
    if (s.label[i] !== l || s.hitNow[i]) continue;
    const o = overlap(s, i, b);
    if (o >= bestIou) {
      best = i;
      bestIou = o;
    }
  }
  return best;
}

/** A free slot, else the least present place that does not count yet; -1 when every place counts. */
function freeSlot(s: WeakState): number {
  let weakest = -1;
  for (let i = 0; i < s.n; i++) {
    if (s.label[i] < 0) return i;
    if (!s.counts[i] && !s.hitNow[i] && (weakest < 0 || s.presence[i] < s.presence[weakest])) weakest = i;
  }
  return weakest;
}

function start(s: WeakState, i: number, l: number, d: Detection, at: number): void {
  s.label[i] = l;
  s.classId[i] = d.classId;
  s.box[4 * i] = d.box.x1;
  s.box[4 * i + 1] = d.box.y1;
  s.box[4 * i + 2] = d.box.x2;
  s.box[4 * i + 3] = d.box.y2;
  s.firstAt[i] = at;
  s.lastLook[i] = at;
  s.lastHit[i] = at;
  s.presence[i] = 1;
  s.scoreSum[i] = d.score;
  s.lastScore[i] = d.score;
  s.hits[i] = 1;
  s.ids[i] = s.nextId++;
  s.counts[i] = 0;
  s.hitNow[i] = 1;
}

function hit(s: WeakState, i: number, d: Detection, at: number): void {
  s.presence[i] = 1 - (1 - s.presence[i]) * Math.exp(-(at - s.lastLook[i]) / s.tauMs);
  s.hits[i]++;
  const w = Math.max(BOX_WEIGHT, 1 / s.hits[i]);
  s.box[4 * i] += w * (d.box.x1 - s.box[4 * i]);
  s.box[4 * i + 1] += w * (d.box.y1 - s.box[4 * i + 1]);
  s.box[4 * i + 2] += w * (d.box.x2 - s.box[4 * i + 2]);
  s.box[4 * i + 3] += w * (d.box.y2 - s.box[4 * i + 3]);
  s.scoreSum[i] += d.score;
  s.lastScore[i] = d.score;
  s.lastLook[i] = at;
  s.lastHit[i] = at;
  s.hitNow[i] = 1;
}

/** Places looked at without a find lose presence; whether each object counts is judged again. */
function judge(s: WeakState, at: number, view: FrameView | undefined): void {
  for (let i = 0; i < s.n; i++) {
    if (s.label[i] < 0) continue;
    if (!s.hitNow[i] && (!view || view.looked(boxOf(s, i, s.scratch)))) {
      s.presence[i] *= Math.exp(-(at - s.lastLook[i]) / s.tauMs);
      s.lastLook[i] = at;
    }
    if (s.presence[i] < FORGET_PRESENCE) s.label[i] = -1;
    else if (s.counts[i]) s.counts[i] = s.presence[i] >= s.minPresence * KEEP_SHARE ? 1 : 0;
    else s.counts[i] = isEstablished(s, i) ? 1 : 0;
  }
}

/** Found in most looks, often enough, over the settling time, and scored above the clutter. */
function isEstablished(s: WeakState, i: number): boolean {
  return (
    s.presence[i] >= s.minPresence &&
    s.hits[i] >= MIN_HITS &&
    s.lastLook[i] - s.firstAt[i] >= s.settleMs &&
    s.scoreSum[i] / s.hits[i] >= s.minMeanScore
  );
}

function asTrack(s: WeakState, i: number, at: number, forLook: boolean): Track {
  return {
    id: -(FAINT_TRACK_ID_BASE + s.ids[i]),
    label: s.labels[s.label[i]],
    classId: s.classId[i],
    state: 'tracked',
    carried: !s.hitNow[i],
    box: boxOf(s, i, { x1: 0, y1: 0, x2: 0, y2: 0 }),
    score: s.lastScore[i],
    meanScore: s.scoreSum[i] / s.hits[i],
    firstSeen: s.firstAt[i],
    lastSeen: at,
    // For re-checks the last look matters, not the last find: a place looked at in vain is not due again at once.
    lastDetected: forLook ? s.lastLook[i] : s.lastHit[i],
    hits: s.hits[i],
    velocity: { x: 0, y: 0 },
    stationarySince: s.firstAt[i],
    moving: false,
    history: NO_HISTORY,
  };
}
