import { describe, expect, it } from 'vitest';
import { type PlateReadText, votePlate } from '../../../agent/src/plate/vote.ts';

const read = (text: string, p = 0.95, colour: PlateReadText['colour'] = 'blue', rows: 1 | 2 = 1): PlateReadText => ({
  text,
  charProbs: [...text].map(() => p),
  colour,
  rows,
});

describe('voting across reads of one plate', () => {
  it('agreeing reads give their text, all counted', () => {
    expect(votePlate([read('津B6H920'), read('津B6H920'), read('津B6H920')])).toEqual({
      readable: true,
      plate: { text: '津B6H920', colour: 'blue', rows: 1, confidence: 0.95, reads: 3 },
    });
  });

  it('a misread character is outvoted per position, and the confidence drops with it', () => {
    const v = votePlate([read('冀D5L690'), read('冀D5L698', 0.7), read('冀D5L690')]);
    expect(v).toMatchObject({ readable: true, plate: { text: '冀D5L690', reads: 2 } });
    if (v.readable) expect(v.plate.confidence).toBeCloseTo((0.95 * 2) / 3, 3);
  });

  it('reads each wrong in a different place still vote to the plate no single frame showed', () => {
    const v = votePlate([read('蒙B023H8'), read('蒙B028H6'), read('蒙E023H6')]);
    expect(v).toMatchObject({ readable: true, plate: { text: '蒙B023H6', reads: 2 } });
  });

  it('two reads that disagree evenly are unreadable, not a coin toss', () => {
    const v = votePlate([read('京A12345'), read('京A12346')]);
    expect(v.readable).toBe(false);
    if (!v.readable) expect(v.reason).toMatch(/has confidence 0\.4\d < 0\.5 over 2 read/);
  });

  it('reads that break the grammar do not vote but count against the confidence', () => {
    expect(votePlate([read('京A12345'), read('京A1234'), read('京AI2345')])).toMatchObject({ readable: false, seen: 3 });
    expect(votePlate([read('京A12345'), read('京A12345'), read('京A1234')])).toMatchObject({
      readable: true,
      plate: { text: '京A12345', reads: 2 },
    });
  });

  it('nothing plate-like, or nothing at all, is unreadable and says why', () => {
    expect(votePlate([read('ABC'), read('京A1O345')])).toEqual({
      readable: false,
      reason: 'none of 2 read(s) fits the plate grammar',
      seen: 2,
    });
    expect(votePlate([])).toEqual({ readable: false, reason: 'no read', seen: 0 });
  });

  it('a single weak read is unreadable; a single clear one is read once', () => {
    expect(votePlate([read('京A12345', 0.4)]).readable).toBe(false);
    expect(votePlate([read('京A12345', 0.9)])).toMatchObject({ readable: true, plate: { reads: 1, confidence: 0.9 } });
  });

  it('the length most reads agree on wins: a new-energy plate is not cut to 7 by one short read', () => {
    const v = votePlate([read('皖KD01833', 0.9, 'green'), read('皖KD01833', 0.9, 'green'), read('皖KD0183', 0.9, 'blue')]);
    expect(v).toMatchObject({ readable: true, plate: { text: '皖KD01833', colour: 'green', reads: 2 } });
  });

  it('colour and rows follow the reads that agree with the answer', () => {
    const v = votePlate([read('冀D5L690', 0.9, 'yellow', 2), read('冀D5L690', 0.9, 'yellow', 2), read('冀D5L698', 0.9, 'blue', 1)]);
    expect(v).toMatchObject({ readable: true, plate: { colour: 'yellow', rows: 2 } });
  });
});
