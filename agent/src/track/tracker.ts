import type { Detection } from '../detect/types.ts';
import type { Box } from '../core/geometry.ts';
import { greedyAssign } from './assign.ts';
import { iou } from '../core/geometry.ts';
import { trackerConfigSchema, type TrackerConfig, type TrackerOptions } from './config.ts';
import { correctMotion, predictBox, startMotion, type Motion } from './motion.ts';
import { startRest, updateRest, type RestState } from './stationarity.ts';
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

interface State
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

export function createTracker(options: TrackerOptions = {}): Tracker {
  const cfg: TrackerConfig = trackerConfigSchema.parse(options);
  if (cfg.lowScore > cfg.highScore) throw new Error(`tracker: expected lowScore (${cfg.lowScore}) ≤ highScore (${cfg.highScore})`);
  let nextId = 1;
  let lastAt = -Infinity;
  let tracks: State[] = [];

  const start = (d: Detection, at: number): State => ({
    id: nextId++,
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
  });

  const hit = (t: State, d: Detection, at: number): void => {
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
  };

  /** Matches `dets[idx]` to `pool` (same label, IoU with the predicted box); returns the unmatched detection indices. */
  const associate = (
    pool: State[],
    predicted: Map<State, Box>,
    dets: readonly Detection[],
    idx: number[],
    minIou: number,
    at: number,
    matched: Set<State>,
  ): number[] => {
    const rowTo = greedyAssign(
      pool.length,
      idx.length,
      (r, c) => (pool[r].label === dets[idx[c]].label ? iou(predicted.get(pool[r])!, dets[idx[c]].box) : -1),
      minIou,
    );
    const used = new Set<number>();
    rowTo.forEach((c, r) => {
      if (c < 0) return;
      hit(pool[r], dets[idx[c]], at);
      matched.add(pool[r]);
      used.add(c);
    });
    return idx.filter((_, c) => !used.has(c));
  };

  return {
    update(detections, at, view) {
      if (!Number.isFinite(at)) throw new Error(`tracker: expected a time in ms since the epoch, got ${at}`);
      if (at < lastAt) throw new Error(`tracker: time went backwards (${at} after ${lastAt}); expected frames in time order`);
      detections.forEach(checkDetection);

      const high: number[] = [];
      const low: number[] = [];
      detections.forEach((d, i) => {
        if (d.score >= cfg.highScore) high.push(i);
        else if (d.score >= cfg.lowScore) low.push(i);
      });

      const matched = new Set<State>();
      const confirmed = tracks.filter((t) => t.confirmed);
      const predicted = new Map(tracks.map((t) => [t, predictBox(t.motion, at)]));
      const inPreviousFrame = new Set(confirmed.filter((t) => t.lastSeen === lastAt));
      // 1. High-score detections against every confirmed track, lost ones included (identity kept through a miss).
      const highLeft = associate(confirmed, predicted, detections, high, cfg.matchIou, at, matched);
      // 2. Low-score detections may only keep alive objects seen in the previous frame.
      associate(
        [...inPreviousFrame].filter((t) => !matched.has(t)),
        predicted,
        detections,
        low,
        cfg.lowMatchIou,
        at,
        matched,
      );
      // 3. Tentative tracks get the remaining high detections; a tentative track that misses a frame is dropped.
      const fresh = associate(
        tracks.filter((t) => !t.confirmed),
        predicted,
        detections,
        highLeft,
        cfg.matchIou,
        at,
        matched,
      );

      const carried = new Set<State>();
      if (view) {
        for (const t of tracks) {
          if (!t.confirmed || matched.has(t) || t.lastSeen !== lastAt || t.rest.movingSince !== undefined || view.looked(predicted.get(t)!))
            continue;
          t.lastSeen = at;
          carried.add(t);
        }
      }

      const maxLost = cfg.maxLostSeconds * 1000;
      tracks = tracks.filter((t) => matched.has(t) || carried.has(t) || (t.confirmed && at - t.lastSeen <= maxLost));
      for (const i of fresh) {
        if (detections[i].score < cfg.newTrackScore || (view && !view.mayStart(detections[i].box))) continue;
        const t = start(detections[i], at);
        tracks.push(t);
        matched.add(t);
      }
      lastAt = at;
      return tracks.filter((t) => t.confirmed).map((t) => snapshot(t, matched.has(t), carried.has(t)));
    },
  };
}

function snapshot(t: State, matched: boolean, carried: boolean): Track {
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
