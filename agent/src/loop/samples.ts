/** Percentile summary of one timing series in a reporting interval (ms). */
export interface TimingSummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * The samples of one series since the last snapshot: exact count, mean and max, and percentiles over the most recent
 * `capacity` samples (a fixed ring, so a burst cannot grow memory).
 */
export class SampleWindow {
  private readonly ring: Float64Array;
  private next = 0;
  private count = 0;
  private sum = 0;
  private max = 0;

  constructor(capacity = 2048) {
    this.ring = new Float64Array(capacity);
  }

  add(ms: number): void {
    this.ring[this.next] = ms;
    this.next = (this.next + 1) % this.ring.length;
    this.count++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }

  /** Summary of the interval, then starts a new one; undefined when nothing was recorded. */
  drain(): TimingSummary | undefined {
    if (this.count === 0) return undefined;
    const kept = this.ring.slice(0, Math.min(this.count, this.ring.length)).sort();
    const summary: TimingSummary = {
      count: this.count,
      meanMs: round(this.sum / this.count),
      p50Ms: round(quantile(kept, 0.5)),
      p90Ms: round(quantile(kept, 0.9)),
      p99Ms: round(quantile(kept, 0.99)),
      maxMs: round(this.max),
    };
    this.next = 0;
    this.count = 0;
    this.sum = 0;
    this.max = 0;
    return summary;
  }
}

/** Nearest-rank quantile of sorted values. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1];
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
