/**
 * The scheduler's arithmetic, pure. Each camera is a weighted flow (weight = its target fps) in start-time fair
 * queueing: whoever has the smallest start tag goes next, so when demand exceeds capacity every camera is slowed in
 * the same proportion and none starves. A rate gate keeps a camera at or below its own target when there is room.
 */
export interface LaneClock {
  /** 1000 / target fps. */
  intervalMs: number;
  /** Virtual time at which this lane's last dispatch "finished" (ms of service per unit weight). */
  finishTag: number;
  /** Earliest wall-clock time of the next dispatch (ms since epoch). */
  dueAt: number;
}

export interface Candidate {
  clock: LaneClock;
  /** receivedAt of the waiting frame; undefined when the lane's slot is empty. */
  frameAt: number | undefined;
}

export type Choice = { index: number } | { waitUntil: number } | undefined;

/** Which lane to run now, or until when to wait for one whose rate gate is still closed; undefined when all are empty. */
export function chooseLane(lanes: readonly Candidate[], now: number, vtime: number): Choice {
  let best = -1;
  let bestTag = Infinity;
  let bestAt = Infinity;
  let waitUntil = Infinity;
  for (let i = 0; i < lanes.length; i++) {
    const { clock, frameAt } = lanes[i];
    if (frameAt === undefined) continue;
    if (clock.dueAt > now) {
      waitUntil = Math.min(waitUntil, clock.dueAt);
      continue;
    }
    const tag = Math.max(clock.finishTag, vtime);
    if (tag < bestTag || (tag === bestTag && frameAt < bestAt)) {
      best = i;
      bestTag = tag;
      bestAt = frameAt;
    }
  }
  if (best >= 0) return { index: best };
  return waitUntil < Infinity ? { waitUntil } : undefined;
}

/**
 * Books a dispatch of `clock` at `now`; returns the new virtual time. The next due time stays on the lane's own
 * grid (a late frame does not push the schedule back) but is at least half an interval away, which caps bursts
 * after an outage.
 */
export function charge(clock: LaneClock, now: number, vtime: number): number {
  const start = Math.max(clock.finishTag, vtime);
  clock.finishTag = start + clock.intervalMs;
  clock.dueAt = Math.max(clock.dueAt + clock.intervalMs, now + clock.intervalMs / 2);
  return start;
}
