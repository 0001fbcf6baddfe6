import { z } from 'zod';

const seconds = (what: string) =>
  z.number({ error: `expected ${what} in seconds (number)` }).nonnegative({ error: `expected ${what} ≥ 0 seconds` });

export const clipConfigSchema = z
  .strictObject({
    /** Keep a short ring of the camera's evidence stream (stream copy) and cut a clip around each event. */
    enabled: z.boolean().default(true),
    preSeconds: seconds('clip.preSeconds').max(120, { error: 'expected clip.preSeconds ≤ 120' }).default(10),
    postSeconds: seconds('clip.postSeconds').max(120, { error: 'expected clip.postSeconds ≤ 120' }).default(10),
    /**
     * Target length of a ring segment. ffmpeg cuts at key frames, so a segment is at least one key-frame
     * interval long; an unmasked clip starts at a segment start, so this (or the camera's GOP, if longer)
     * bounds how much earlier than the pre-roll it may start.
     */
    segmentSeconds: z.number().min(0.5).max(10).default(1),
    /** Ring folder; default `<dataDir>/ring`. A tmpfs (e.g. /dev/shm/jifang-ring) keeps raw video off the disk. */
    ringDir: z.string().min(1).optional(),
    /**
     * Encoder used only when the camera has privacy masks (masks must be burnt into the pixels, which
     * needs a re-encode); unmasked clips are stream copies.
     */
    encoder: z.array(z.string()).min(2).default(['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '26']),
  })
  .refine((c) => c.preSeconds + c.postSeconds > 0, { error: 'expected clip.preSeconds + clip.postSeconds > 0' });
export type ClipConfig = z.infer<typeof clipConfigSchema>;

export const evidenceConfigSchema = z.strictObject({
  /** Longest side of the inline thumbnail. */
  thumbnailWidth: z.number().int().min(32).max(640).default(320),
  /** The thumbnail's JPEG is shrunk (quality, then size) until it is at most this many bytes. */
  thumbnailMaxBytes: z.number().int().min(2000).max(200_000).default(20_000),
  jpegQuality: z.number().int().min(10).max(100).default(85),
  /** `evidence`: snapshots come from the camera's evidenceUrl (main stream) when it has one; `analysis`: always the analysed frame. */
  snapshotSource: z.enum(['evidence', 'analysis'], { error: 'expected snapshotSource "evidence" or "analysis"' }).default('evidence'),
  /** Longest wait for one full-resolution frame from the evidence stream before falling back to the analysed frame. */
  grabTimeoutSeconds: z.number().positive().max(60).default(8),
  /** Pixelate objects with these labels that are not part of the event (bystanders); absent = off. */
  pixelate: z
    .strictObject({
      labels: z.array(z.string().min(1)).min(1).default(['person']),
      /** Block side in pixels of the analysis frame (scaled up on larger evidence frames). */
      blockPixels: z.number().int().min(2).max(64).default(8),
    })
    .optional(),
  clip: clipConfigSchema.default(clipConfigSchema.parse({})),
  /** Evidence older than this is deleted. */
  retentionDays: z.number().positive().default(30),
  /** Oldest evidence is also deleted while the data disk is fuller than this. */
  maxDiskUsedPercent: z.number().min(1).max(99).default(90),
  /** Optional cap on the evidence folder itself, in megabytes. */
  maxEvidenceMegabytes: z.number().positive().optional(),
  reserveMegabytes: z.number().min(0).default(64).meta({
    description:
      'Free space kept on the data disk for alerts and the audit log: below it, snapshots and clips are not stored (alerts go without them) until space returns.',
  }),
  /** How often retention runs. */
  retentionIntervalMinutes: z.number().positive().default(10),
});
export type EvidenceConfig = z.infer<typeof evidenceConfigSchema>;
