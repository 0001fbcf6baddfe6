import type { Box } from '../core/geometry.ts';
import { iou } from '../core/geometry.ts';
import type { Detection } from '../detect/types.ts';
import { greedyAssign } from './assign.ts';
import { type TrackerConfig, type TrackerOptions, trackerConfigSchema } from './config.ts';
import { correctMotion, type Motion, predictBox, startMotion } from './motion.ts';
import { type RestState, startRest, updateRest } from './stationarity.ts';
import type { Track, TrackSample } from './types.ts';

export interface Tracker {
  /**
   * Associates one frame's detections (taken at `at`, ms since epoch, never earlier than the
   * previous call) with the live tracks and returns the confirmed ones, tracked and lost, by id.
   * `view` says what this frame's detection covered (motion-gated detection runs the model on parts of the frame
   * only); without it, the whole frame was looked at and anything may start a track.
   */
  update(detections: readonly Detection[], at: number, view?: FrameView): Track[];
}

export interface FrameView {
  /** Whether the detector saw `box` whole: an object at rest it did not see, and that was there the frame before, is carried (kept as tracked without a detection). */
  looked(box: Box): boolean;
  /** Whether a detection there may start a new track: only where the picture changed, so looking closer at a known object does not start new ones. */
  mayStart(box: Box): boolean;
}

/** A track as the tracker keeps it between frames. */
export interface TrackState
  extends Pick<
    Track,
    'id' | 'label' | 'classId' | 'model' | 'box' | 'score' | 'meanScore' | 'firstSeen' | 'lastSeen' | 'lastDetected' | 'hits'
  > {
  confirmed: boolean;
  motion: Motion;
  rest: RestState;
  history: TrackSample[];
}

/** Weight of the newest score in a track's mean score. */
const SCORE_SMOOTHING = 0.2;

/**
 * ByteTrack-style tracking: confirmed tracks take the high-score detections first, objects seen in the previous frame
 * may live on through low-score ones, tentative tracks take what is left. A thin object over a `TrackerState`.
 */
export function createTracker(options: TrackerOptions = {}): Tracker {
  const state = createTrackerState(options);
  return { update: (detections, at, view) => updateTracker(state, detections, at, view) };
}

/** Everything a tracker remembers between frames. */
export interface TrackerState {
  readonly cfg: TrackerConfig;
  nextId: number;
  lastAt: number;
  tracks: TrackState[];
}

export function createTrackerState(options: TrackerOptions = {}): TrackerState {
  const cfg: TrackerConfig = trackerConfigSchema.parse(options);
  if (cfg.lowScore > cfg.highScore) throw new Error(`tracker: expected lowScore (${cfg.lowScore}) ≤ highScore (${cfg.highScore})`);
  return { cfg, nextId: 1, lastAt: -Infinity, tracks: [] };
}

/** One frame's detections associated with the live tracks; returns the confirmed ones, tracked and lost, by id. */
export function updateTracker(state: TrackerState, detections: readonly Detection[], at: number, view?: FrameView): Track[] {
  const { cfg, lastAt } = state;
  if (!Number.isFinite(at)) throw new Error(`tracker: expected a time in ms since the epoch, got ${at}`);
  if (at < lastAt) throw new Error(`tracker: time went backwards (${at} after ${lastAt}); expected frames in time order`);
  detections.forEach(checkDetection);
  const { high, low } = byScore(cfg, detections);
  const { tracks } = state;
  const matched = new Set<TrackState>();
  const confirmed = tracks.filter((t) => t.confirmed);
  const predicted = new Map(tracks.map((t) => [t, predictBox(t.motion, at)]));
  const inPreviousFrame = confirmed.filter((t) => t.lastSeen === lastAt);
  const pass = (pool: TrackState[], idx: number[], minIou: number) =>
    associate(cfg, { pool, predicted, dets: detections, idx, minIou, at }, matched);
  // 1. High-score detections against every confirmed track, lost ones included (identity kept through a miss).
  const highLeft = pass(confirmed, high, cfg.matchIou);
  // 2. Low-score detections may only keep alive objects seen in the previous frame.
  pass(
    inPreviousFrame.filter((t) => !matched.has(t)),
    low,
    cfg.lowMatchIou,
  );
  // 3. Tentative tracks get the remaining high detections; a tentative track that misses a frame is dropped.
  const fresh = pass(
    tracks.filter((t) => !t.confirmed),
    highLeft,
    cfg.matchIou,
  );
  const carried = view ? carryUnseen(tracks, { matched, predicted, lastAt, at, view }) : new Set<TrackState>();
  const maxLost = cfg.maxLostSeconds * 1000;
  state.tracks = tracks.filter((t) => matched.has(t) || carried.has(t) || (t.confirmed && at - t.lastSeen <= maxLost));
  for (const i of fresh) {
    if (detections[i].score < cfg.newTrackScore || (view && !view.mayStart(detections[i].box))) continue;
    const t = startTrack(cfg, state.nextId++, detections[i], at);
    state.tracks.push(t);
    matched.add(t);
  }
  state.lastAt = at;
  return state.tracks.filter((t) => t.confirmed).map((t) => snapshot(t, matched.has(t), carried.has(t)));
}

/** Indices of the high-score detections and of the low-score ones (below `lowScore`: ignored). */
export function byScore(cfg: TrackerConfig, detections: readonly Detection[]): { high: number[]; low: number[] } {
  const high: number[] = [];
  const low: number[] = [];
  detections.forEach((d, i) => {
    if (d.score >= cfg.highScore) high.push(i);
    else if (d.score >= cfg.lowScore) low.push(i);
  });
  return { high, low };
}

/**
 * Confirmed objects at rest, seen the frame before, that this frame's detection did not look at whole: they are
 * kept as tracked (carried) without a detection.
 */
function carryUnseen(
  tracks: readonly TrackState[],
  f: { matched: ReadonlySet<TrackState>; predicted: Map<TrackState, Box>; lastAt: number; at: number; view: FrameView },
): Set<TrackState> {
  const carried = new Set<TrackState>();
  for (const t of tracks) {
    if (!t.confirmed || f.matched.has(t) || t.lastSeen !== f.lastAt || t.rest.movingSince !== undefined) continue;
    if (f.view.looked(f.predicted.get(t)!)) continue;
    t.lastSeen = f.at;
    carried.add(t);
  }
  return carried;
}

/** A new (tentative unless `minHits` is 1) track from a detection. */
function startTrack(cfg: TrackerConfig, id: number, d: Detection, at: number): TrackState {
  return {
    id,
    label: d.label,
    classId: d.classId,
    model: d.model,
    box: d.box,
    score: d.score,
    meanScore: d.score,
    firstSeen: at,
    lastSeen: at,
    lastDetected: at,
    hits: 1,
    confirmed: cfg.minHits <= 1,
    motion: startMotion(d.box, at),
    rest: startRest(d.box, at),
    history: [{ at, box: d.box, score: d.score }],
  };
}

/** The track matched a detection: its box, scores, motion, history (the last `historySeconds`) and rest follow. */
function hitTrack(cfg: TrackerConfig, t: TrackState, d: Detection, at: number): void {
  t.model = d.model;
  t.box = d.box;
  t.score = d.score;
  t.meanScore += SCORE_SMOOTHING * (d.score - t.meanScore);
  t.lastSeen = at;
  t.lastDetected = at;
  t.hits++;
  if (t.hits >= cfg.minHits) t.confirmed = true;
  correctMotion(t.motion, d.box, at);
  t.history.push({ at, box: d.box, score: d.score });
  const keepFrom = at - cfg.historySeconds * 1000;
  let old = 0;
  while (old < t.history.length && t.history[old].at < keepFrom) old++;
  if (old > 0) t.history.splice(0, old);
  updateRest(t.rest, t.history, at, cfg.stationary);
}

/** One association pass: `dets[idx]` against `pool` (same label, IoU with the predicted box). */
interface Pass {
  pool: TrackState[];
  predicted: Map<TrackState, Box>;
  dets: readonly Detection[];
  idx: number[];
  minIou: number;
  at: number;
}

/** Matches a pass's detections to its tracks (each matched track is hit and added to `matched`); returns the unmatched detection indices. */
function associate(cfg: TrackerConfig, p: Pass, matched: Set<TrackState>): number[] {
  const { pool, predicted, dets, idx } = p;
  const rowTo = greedyAssign(
    pool.length,
    idx.length,
    (r, c) => (pool[r].label === dets[idx[c]].label ? iou(predicted.get(pool[r])!, dets[idx[c]].box) : -1),
    p.minIou,
  );
  const used = new Set<number>();
  rowTo.forEach((c, r) => {
    if (c < 0) return;
    hitTrack(cfg, pool[r], dets[idx[c]], p.at);
    matched.add(pool[r]);
    used.add(c);
  });
  return idx.filter((_, c) => !used.has(c));
}

function snapshot(t: TrackState, matched: boolean, carried: boolean): Track {
  return {
    id: t.id,
    label: t.label,
    classId: t.classId,
    ...(t.model !== undefined && { model: t.model }),
    state: matched || carried ? 'tracked' : 'lost',
    carried,
    box: t.box,
    score: t.score,
    meanScore: t.meanScore,
    firstSeen: t.firstSeen,
    lastSeen: t.lastSeen,
    lastDetected: t.lastDetected,
    hits: t.hits,
    velocity: { x: t.motion.vx * 1000, y: t.motion.vy * 1000 },
    stationarySince: t.rest.since,
    moving: t.rest.movingSince !== undefined,
    history: t.history,
  };
}

function checkDetection(d: Detection, i: number): void {
  const { x1, y1, x2, y2 } = d.box;
  if (![x1, y1, x2, y2].every(Number.isFinite) || x2 <= x1 || y2 <= y1) {
    throw new Error(`tracker: detection ${i} (${d.label}): expected a box with finite x1 < x2 and y1 < y2, got ${JSON.stringify(d.box)}`);
  }
  if (!(d.score >= 0 && d.score <= 1))
    throw new Error(`tracker: detection ${i} (${d.label}): expected a score between 0 and 1, got ${d.score}`);
}
