import { describe, expect, it } from 'vitest';
import { absentRanges, advanceContiguous, countRanges, mergeRanges, subtractRanges } from '../../../agent/src/core/ranges.ts';

describe('publication ranges', () => {
  it('finds the holes of a range, at its start, middle and end', () => {
    expect(absentRanges(1, 10, [3, 4, 7])).toEqual([
      [1, 2],
      [5, 6],
      [8, 10],
    ]);
    expect(absentRanges(5, 7, [5, 6, 7])).toEqual([]);
    expect(absentRanges(5, 7, [])).toEqual([[5, 7]]);
    // Numbers outside the range change nothing.
    expect(absentRanges(5, 7, [1, 2, 6, 9])).toEqual([
      [5, 5],
      [7, 7],
    ]);
  });

  it('moves the contiguous number over what arrived, and stops at the first hole', () => {
    expect(advanceContiguous(0, [1, 2, 3, 5], [])).toBe(3);
    expect(advanceContiguous(3, [1, 2, 3, 5], [])).toBe(3);
    expect(advanceContiguous(0, [2, 3], [])).toBe(0);
  });

  it('moves it over publications given up as lost, so the archive waits only for what can still come', () => {
    expect(advanceContiguous(2, [41, 42, 44], [[3, 40]])).toBe(42);
    // A lost range that starts below the contiguous number, and two that touch.
    expect(advanceContiguous(10, [], [[5, 12]])).toBe(12);
    expect(
      advanceContiguous(
        0,
        [1],
        [
          [6, 9],
          [2, 5],
        ],
      ),
    ).toBe(9);
  });

  it('takes ranges out of ranges and counts what is left', () => {
    const gaps = subtractRanges(
      [
        [1, 10],
        [20, 30],
      ],
      [
        [5, 6],
        [18, 25],
      ],
    );
    expect(gaps).toEqual([
      [1, 4],
      [7, 10],
      [26, 30],
    ]);
    expect(countRanges(gaps)).toBe(4 + 4 + 5);
  });

  it('joins overlapping and touching ranges, so a number two answers named is counted once', () => {
    const merged = mergeRanges([
      [11, 50],
      [3, 5],
      [20, 53],
      [6, 8],
      [60, 61],
    ]);
    expect(merged).toEqual([
      [3, 8],
      [11, 53],
      [60, 61],
    ]);
    expect(countRanges(merged)).toBe(6 + 43 + 2);
  });
});
