/** Inclusive ranges of whole numbers (a box's publication numbers): `[first, last]`, first ≤ last. */
export type Range = readonly [number, number];

/** The numbers of `from..to` that `present` (ascending, distinct) lacks, as ascending ranges. */
export function absentRanges(from: number, to: number, present: readonly number[]): Range[] {
  const out: Range[] = [];
  let next = from;
  for (const n of present) {
    if (n < next) continue;
    if (n > to) break;
    if (n > next) out.push([next, n - 1]);
    next = n + 1;
  }
  if (next <= to) out.push([next, to]);
  return out;
}

/**
 * The highest `n` such that every number in `(contiguous, n]` is in `present` (ascending) or in one of `filled`
 * (ranges given up as lost count as filled: the archive is not waiting for them any more).
 */
export function advanceContiguous(contiguous: number, present: readonly number[], filled: readonly Range[]): number {
  const ranges = [...filled].sort((a, b) => a[0] - b[0]);
  let c = contiguous;
  let i = 0;
  let r = 0;
  for (;;) {
    while (i < present.length && present[i] <= c) i++;
    while (r < ranges.length && ranges[r][1] <= c) r++;
    if (i < present.length && present[i] === c + 1) c++;
    else if (r < ranges.length && ranges[r][0] <= c + 1) c = ranges[r][1];
    else return c;
  }
}

/** How many numbers the ranges hold. */
export function countRanges(ranges: readonly Range[]): number {
  return ranges.reduce((n, [a, b]) => n + (b - a + 1), 0);
}

/** The parts of `ranges` (ascending, disjoint) outside every one of `minus`. */
export function subtractRanges(ranges: readonly Range[], minus: readonly Range[]): Range[] {
  let out: Range[] = [...ranges];
  for (const [a, b] of minus) {
    out = out.flatMap(([x, y]): Range[] => {
      if (b < x || a > y) return [[x, y]];
      const parts: Range[] = [];
      if (x < a) parts.push([x, a - 1]);
      if (y > b) parts.push([b + 1, y]);
      return parts;
    });
  }
  return out;
}

/** The same numbers as ascending, disjoint ranges (overlapping or touching ones joined). */
export function mergeRanges(ranges: readonly Range[]): Range[] {
  const out: [number, number][] = [];
  for (const [a, b] of [...ranges].sort((x, y) => x[0] - y[0])) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}
