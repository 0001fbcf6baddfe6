import type { Box } from '../core/geometry.ts';
import { iou } from '../core/geometry.ts';
import type { TrackSample } from './types.ts';

export interface StationarityParams {
  smoothingSeconds: number;
  minIou: number;
  confirmSeconds: number;
}

/**
 * Where an object came to rest and since when. Movement is judged against this fixed rest box,
 * not against the previous frame, so slow creeping accumulates until it counts as movement.
 */
export interface RestState {
  box: Box;
  since: number;
  /** First time the smoothed box left the rest box in the current run of movement. */
  movingSince: number | undefined;
}

export function startRest(box: Box, at: number): RestState {
  return { box, since: at, movingSince: undefined };
}

/**
 * Folds the latest samples into the rest state, in place. The smoothed position is the median box
 * over the last `smoothingSeconds`, so an occluded or jittery frame cannot move the object alone;
 * movement resets the rest only once it has lasted `confirmSeconds`.
 */
export function updateRest(rest: RestState, history: readonly TrackSample[], at: number, p: StationarityParams): void {
  const smoothed = medianBox(history, at - p.smoothingSeconds * 1000);
  if (!smoothed) return;
  if (iou(smoothed, rest.box) >= p.minIou) {
    rest.movingSince = undefined;
    return;
  }
  rest.movingSince ??= at;
  if (at - rest.movingSince >= p.confirmSeconds * 1000) {
    rest.box = smoothed;
    rest.since = rest.movingSince;
    rest.movingSince = undefined;
  }
}

/** Component-wise median of the boxes sampled at or after `from`; undefined when there are none. */
export function medianBox(history: readonly TrackSample[], from: number): Box | undefined {
  let first = history.length;
  while (first > 0 && history[first - 1].at >= from) first--;
  const n = history.length - first;
  if (n === 0) return undefined;
  const col = new Float64Array(n);
  const median = (pick: (b: Box) => number): number => {
    for (let i = 0; i < n; i++) col[i] = pick(history[first + i].box);
    col.sort();
    return n % 2 === 1 ? col[(n - 1) / 2] : (col[n / 2 - 1] + col[n / 2]) / 2;
  };
  return { x1: median((b) => b.x1), y1: median((b) => b.y1), x2: median((b) => b.x2), y2: median((b) => b.y2) };
}
