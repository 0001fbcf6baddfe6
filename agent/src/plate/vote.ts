import { z } from 'zod';
import { type Plate, type PlateColour, plateColourSchema } from '../contract/plate.ts';
import { checkPlateGrammar } from './grammar.ts';

/** One frame's read of one plate. */
export interface PlateReadText {
  text: string;
  /** Recogniser probability of each character of `text`, in order. */
  charProbs: readonly number[];
  colour: PlateColour;
  rows: 1 | 2;
}

/** A read as kept on disk with its open event (the vote goes on after a restart). */
export const plateReadTextSchema = z.strictObject({
  text: z.string(),
  charProbs: z.array(z.number()),
  colour: plateColourSchema,
  rows: z.union([z.literal(1), z.literal(2)]),
});

export interface VoteOptions {
  /** Below this the answer is `unreadable`, not a guess (0..1). */
  minConfidence: number;
}

export const defaultVoteOptions: VoteOptions = { minConfidence: 0.5 };

export type VoteResult = { readable: true; plate: Plate } | { readable: false; reason: string; seen: number };

/**
 * One answer from several reads of the same plate: per character position, the character with the most summed
 * probability among the reads that fit the plate grammar. `reads` is the fewest reads that agree on any one
 * character of the answer; `confidence` is the weakest position's winning probability mass over all reads seen,
 * so a misread frame or a disagreement lowers it and a tie between two reads falls below an even chance.
 */
export function votePlate(reads: readonly PlateReadText[], opts: VoteOptions = defaultVoteOptions): VoteResult {
  const seen = reads.length;
  if (seen === 0) return { readable: false, reason: 'no read', seen };
  const valid = reads.filter((r) => checkPlateGrammar(r.text).valid);
  if (valid.length === 0) return { readable: false, reason: `none of ${seen} read(s) fits the plate grammar`, seen };

  const lengthWeight = new Map<number, number>();
  for (const r of valid) {
    const n = [...r.text].length;
    lengthWeight.set(n, (lengthWeight.get(n) ?? 0) + mean(r.charProbs));
  }
  const length = [...lengthWeight.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
  const voters = valid.filter((r) => [...r.text].length === length).map((r) => ({ chars: [...r.text], r }));

  let text = '';
  let confidence = 1;
  let agreeing = voters.length;
  for (let i = 0; i < length; i++) {
    const mass = new Map<string, { p: number; n: number }>();
    for (const { chars, r } of voters) {
      const m = mass.get(chars[i]) ?? { p: 0, n: 0 };
      m.p += r.charProbs[i] ?? 0;
      m.n += 1;
      mass.set(chars[i], m);
    }
    const [char, best] = [...mass.entries()].sort((a, b) => b[1].p - a[1].p)[0];
    text += char;
    confidence = Math.min(confidence, best.p / seen);
    agreeing = Math.min(agreeing, best.n);
  }
  if (!checkPlateGrammar(text).valid)
    return { readable: false, reason: `the reads disagree: their per-character consensus "${text}" is not a plate`, seen };
  if (confidence < opts.minConfidence) {
    return {
      readable: false,
      reason: `best consensus "${text}" has confidence ${confidence.toFixed(2)} < ${opts.minConfidence} over ${seen} read(s)`,
      seen,
    };
  }
  const agreed = voters.filter(({ r }) => r.text === text).map(({ r }) => r);
  const pool = agreed.length > 0 ? agreed : voters.map(({ r }) => r);
  return {
    readable: true,
    plate: {
      text,
      colour: majority(pool.map((r) => r.colour)),
      rows: majority(pool.map((r) => r.rows)),
      confidence: Math.round(confidence * 1000) / 1000,
      reads: agreeing,
    },
  };
}

function mean(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** The most frequent value; ties go to the earliest read. */
function majority<T>(xs: readonly T[]): T {
  const count = new Map<T, number>();
  for (const x of xs) count.set(x, (count.get(x) ?? 0) + 1);
  let best = xs[0];
  for (const x of xs) if ((count.get(x) ?? 0) > (count.get(best) ?? 0)) best = x;
  return best;
}
