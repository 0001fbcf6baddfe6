/**
 * The scheduler's arithmetic, pure. Each camera is a weighted flow (weight = its target fps) in start-time fair
 * queueing: whoever has the smallest start tag goes next, so when demand exceeds capacity every camera is slowed in
 * the same proportion and none starves. A rate gate keeps a camera at or below its own target when there is room:
 * a frame may run up to half an interval before its due time, so frames that arrive at the target rate with jitter
 * (ffmpeg's rate cap keeps uneven source timestamps) are never held back, and the gate's grid runs 2 % fast, so a
 * camera whose clock runs a little fast is not held back either. ffmpeg already caps each stream at its target; the
 * gate stops bursts (buffered frames after a network stall).
 */
export interface LaneClock {
  /** 1000 / target fps. */
  intervalMs: number;
  /** Virtual time at which this lane's last dispatch "finished" (ms of service per unit weight). */
  finishTag: number;
  /** Wall-clock time of the next dispatch on the lane's grid (ms since epoch); it may run half an interval early. */
  dueAt: number;
}

export interface LaneTurn {
  clock: LaneClock;
  /** receivedAt of the waiting frame; undefined when the lane's slot is empty. */
  frameAt: number | undefined;
  /** A frame of this lane is being processed: its next frame cannot go yet, but the lane keeps its place in line. */
  running?: boolean;
  /**
   * The lane's last frame needed no inference (motion mode, nothing moving): its next frame most likely needs none
   * either, takes no place at the detector and so waits for nobody.
   */
  free?: boolean;
}

export type Choice = { index: number } | { waitUntil: number } | undefined;

/**
 * Which lane to run now, or until when to wait for one whose rate gate is still closed; undefined when all are empty
 * or when the next in line is a lane still running its previous frame (with several frames in process, a lane that
 * is ahead in line waits for a running one rather than overtake it: otherwise two cameras would simply alternate,
 * whatever their frames cost). Free lanes wait for nobody: when the next in line must wait, the first free lane in
 * line goes; `onlyFree` (every place at the detector taken) considers free lanes only.
 */
export function chooseLane(lanes: readonly LaneTurn[], now: number, vtime: number, onlyFree = false): Choice {
  let best = -1;
  let bestTag = Infinity;
  let bestAt = Infinity;
  let bestFree = -1;
  let bestFreeTag = Infinity;
  let bestFreeAt = Infinity;
  let waitUntil = Infinity;
  let runningTag = Infinity;
  for (let i = 0; i < lanes.length; i++) {
    const { clock, frameAt } = lanes[i];
    const tag = Math.max(clock.finishTag, vtime);
    // Its next frame and its gate may well be there by the time its frame in process is done: it keeps its place.
    if (lanes[i].running) {
      runningTag = Math.min(runningTag, tag);
      continue;
    }
    if (frameAt === undefined || (onlyFree && !lanes[i].free)) continue;
    const opensAt = clock.dueAt - clock.intervalMs / 2;
    if (opensAt > now) {
      waitUntil = Math.min(waitUntil, opensAt);
      continue;
    }
    if (tag < bestTag || (tag === bestTag && frameAt < bestAt)) {
      best = i;
      bestTag = tag;
      bestAt = frameAt;
    }
    if (lanes[i].free && (tag < bestFreeTag || (tag === bestFreeTag && frameAt < bestFreeAt))) {
      bestFree = i;
      bestFreeTag = tag;
      bestFreeAt = frameAt;
    }
  }
  if (best >= 0 && bestTag <= runningTag) return { index: best };
  if (bestFree >= 0) return { index: bestFree };
  if (best >= 0) return undefined;
  return waitUntil < Infinity ? { waitUntil } : undefined;
}

/**
 * Books a dispatch of `clock` at `now`; returns the new virtual time. The next due time is one interval after the
 * later of this one's due time and now: early runs borrow from the grid (the long-run rate stays at the target),
 * late ones move the grid (no credit piles up during an outage, so no burst after it).
 */
export function charge(clock: LaneClock, now: number, vtime: number): number {
  const start = Math.max(clock.finishTag, vtime);
  clock.finishTag = start + clock.intervalMs;
  clock.dueAt = Math.max(clock.dueAt, now) + clock.intervalMs * gateSpacing;
  return start;
}

const gateSpacing = 1 / 1.02;
