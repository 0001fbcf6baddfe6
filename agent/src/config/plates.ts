import { z } from 'zod';
import { RULE_TYPES } from '../contract/rule-types.ts';

/** How a camera reads the plates of the vehicles in its events. */
export const plateReadingSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .meta({
        description:
          "Read the plates of this camera's vehicles while they dwell and put them in the alerts. Needs the plate models " +
          '(models/plates); a box without them says so once at start and sends alerts without plates.',
      }),
    rules: z
      .array(z.enum(RULE_TYPES, { error: `expected a rule type: ${RULE_TYPES.join(', ')}` }))
      .min(1, { error: 'expected at least one rule type (or enabled: false)' })
      .default(['illegal_parking'])
      .meta({ description: 'Rule types whose zones have their vehicles read (the rule’s own labels and `labels` both apply).' }),
    labels: z
      .array(z.string().min(1))
      .min(1)
      .default(['car', 'truck', 'bus', 'motorcycle'])
      .meta({ description: 'Detector labels that carry plates: only these are read.' }),
    reads: z
      .number()
      .int()
      .min(1)
      .max(32)
      .default(8)
      .meta({ description: 'Reads of one vehicle voted into its plate; once reached it is not read again.' }),
    intervalSeconds: z
      .number()
      .min(0)
      .max(600)
      .default(4)
      .meta({ description: 'Seconds between two reads of the same vehicle: frames close in time repeat the same mistakes.' }),
    stillSeconds: z
      .number()
      .min(0)
      .max(600)
      .default(2)
      .meta({ description: 'A vehicle is read once it has stood still this long; 0 reads moving vehicles too.' }),
    minConfidence: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .meta({ description: 'Voted plates below this confidence (0..1) are left out of the alert as unreadable rather than guessed.' }),
    source: z
      .enum(['evidence', 'analysis'], { error: 'expected plates.source "evidence" or "analysis"' })
      .default('evidence')
      .meta({
        description:
          "`evidence`: read on the main stream's frame at full resolution when the camera has an evidenceUrl (the analysis " +
          'frame when that frame cannot be had or shows no plate); `analysis`: always the analysed frame.',
      }),
  })
  .meta({ description: 'Plate reading on this camera.' });
export type PlateReadingConfig = z.infer<typeof plateReadingSchema>;
