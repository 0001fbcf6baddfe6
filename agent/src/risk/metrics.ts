import { seededRandom } from '../core/random.ts';

/** The k-th largest of `values` (1 ≤ k ≤ length), with a bounded min-heap: one pass, no sort of a million slots. */
export function kthLargest(values: ArrayLike<number>, k: number): number {
  const heap = new Float64Array(k);
  let size = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (size < k) {
      let j = size++;
      while (j > 0 && heap[(j - 1) >> 1] > v) {
        heap[j] = heap[(j - 1) >> 1];
        j = (j - 1) >> 1;
      }
      heap[j] = v;
    } else if (v > heap[0]) {
      let j = 0;
      for (;;) {
        const l = 2 * j + 1;
        if (l >= k) break;
        const m = l + 1 < k && heap[l + 1] < heap[l] ? l + 1 : l;
        if (heap[m] >= v) break;
        heap[j] = heap[m];
        j = m;
      }
      heap[j] = v;
    }
  }
  return heap[0];
}

/**
 * How much of `target` the `k` highest-scored entries hold, ties at the cut broken at random (its expected value):
 * a method that cannot tell cells apart gets the area share, never the luck of an index order.
 */
export function capturedInTop(score: ArrayLike<number>, target: ArrayLike<number>, k: number): number {
  let total = 0;
  if (k >= score.length) {
    for (let i = 0; i < target.length; i++) total += target[i];
    return total;
  }
  if (k <= 0) return 0;
  const cut = kthLargest(score, k);
  let above = 0;
  let countAbove = 0;
  let tie = 0;
  let tieCount = 0;
  for (let i = 0; i < score.length; i++) {
    if (score[i] > cut) (above += target[i]), countAbove++;
    else if (score[i] === cut) (tie += target[i]), tieCount++;
  }
  return above + (tie * (k - countAbove)) / tieCount;
}

export interface Estimate {
  mean: number;
  low: number;
  high: number;
}

/** The mean of per-week values with a 95 % percentile bootstrap interval over weeks (2,000 resamples, fixed seed). */
export function bootstrapMean(values: readonly number[], seed = 1, resamples = 2000): Estimate {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const random = seededRandom(seed);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += values[Math.floor(random() * n)];
    means[r] = s / n;
  }
  means.sort();
  return { mean, low: means[Math.floor(0.025 * resamples)], high: means[Math.ceil(0.975 * resamples) - 1] };
}
