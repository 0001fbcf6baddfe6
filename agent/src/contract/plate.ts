import { z } from 'zod';

/** Background colours of Chinese plates (GA 36): blue private cars, yellow large vehicles and learners, green new-energy, white police and military, black foreign and Hong Kong / Macau. */
export const plateColourSchema = z.enum(['blue', 'yellow', 'green', 'white', 'black']);
export type PlateColour = z.infer<typeof plateColourSchema>;

/** A plate read agreed across one or more frames; additive to `objects[]` of the alert. */
export const plateSchema = z.strictObject({
  /** Consensus text without separators, e.g. `皖KD01833`. */
  text: z.string().min(7).max(8),
  colour: plateColourSchema,
  /** 1 for single-row plates, 2 for double-row (large vehicles, trailers, motorcycles). */
  rows: z.union([z.literal(1), z.literal(2)]),
  /** 0..1: how sure the reader is of the whole text. */
  confidence: z.number().min(0).max(1),
  /** How many reads agreed with the consensus on every character. */
  reads: z.number().int().min(1),
});
export type Plate = z.infer<typeof plateSchema>;
