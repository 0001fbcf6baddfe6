import { z } from 'zod';
import { durationSeconds } from '../core/schema.ts';

export const clipConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(true).meta({
      description: "Keep the last seconds of each camera's evidence stream and cut a video clip around each event (default true).",
    }),
    preSeconds: durationSeconds('clip.preSeconds')
      .max(120, { error: 'expected clip.preSeconds ≤ 120' })
      .default(10)
      .meta({ description: 'Seconds of video in the clip before the moment the event is reported, 0 to 120 (default 10).' }),
    postSeconds: durationSeconds('clip.postSeconds')
      .max(120, { error: 'expected clip.postSeconds ≤ 120' })
      .default(10)
      .meta({ description: 'Seconds of video in the clip after the moment the event is reported, 0 to 120 (default 10).' }),
    /**
     * Target length of a ring segment. ffmpeg cuts at key frames, so a segment is at least one key-frame
     * interval long; an unmasked clip starts at a segment start, so this (or the camera's GOP, if longer)
     * bounds how much earlier than the pre-roll it may start.
     */
    segmentSeconds: z.number().min(0.5).max(10).default(1).meta({
      description:
        "Length in seconds of the pieces the recent video is kept in, 0.5 to 10; a clip may start up to one piece (or the camera's key-frame interval) earlier (default 1).",
    }),
    ringDir: z.string().min(1).optional().meta({
      description:
        'Folder for the recent video; default DATADIR/ring. A RAM disk such as /dev/shm/jifang-ring keeps raw video off the disk.',
    }),
    encoder: z.array(z.string()).min(2).default(['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '26']).meta({
      description:
        'ffmpeg encoder options for clips of cameras with privacy masks (masks are burnt in, which needs re-encoding); other clips are copied as they are.',
    }),
  })
  .refine((c) => c.preSeconds + c.postSeconds > 0, { error: 'expected clip.preSeconds + clip.postSeconds > 0' });
export type ClipConfig = z.infer<typeof clipConfigSchema>;

export const evidenceConfigSchema = z.strictObject({
  thumbnailWidth: z
    .number()
    .int()
    .min(32)
    .max(640)
    .default(320)
    .meta({ description: 'Longest side in pixels of the small picture inside each alert, 32 to 640 (default 320).' }),
  thumbnailMaxBytes: z
    .number()
    .int()
    .min(2000)
    .max(200_000)
    .default(20_000)
    .meta({ description: "The alert's small picture is shrunk (quality, then size) until it is at most this many bytes (default 20000)." }),
  jpegQuality: z.number().int().min(10).max(100).default(85).meta({ description: 'JPEG quality of snapshots, 10 to 100 (default 85).' }),
  snapshotSource: z.enum(['evidence', 'analysis'], { error: 'expected snapshotSource "evidence" or "analysis"' }).default('evidence').meta({
    description:
      "evidence (default): snapshots come from the camera's evidenceUrl (full resolution) when it has one; analysis: always the analysed frame.",
  }),
  grabTimeoutSeconds: z.number().positive().max(60).default(8).meta({
    description: 'Longest wait in seconds for a full-resolution frame before the snapshot falls back to the analysed frame (default 8).',
  }),
  pixelate: z
    .strictObject({
      labels: z
        .array(z.string().min(1))
        .default(['person'])
        .meta({ description: 'Labels of the bystanders to pixelate (default person); empty: only plates (with plates: true).' }),
      blockPixels: z.number().int().min(2).max(64).default(8).meta({
        description: 'Size of a pixelation block, in pixels of the analysis frame, 2 to 64 (scaled up on larger pictures; default 8).',
      }),
      plates: z
        .boolean()
        .default(false)
        .meta({
          description:
            'Pixelate the licence plates of vehicles that are not part of the event in stored snapshots, thumbnails, hard-negative frames and clips; ' +
            "the event vehicle's plate stays legible. Needs the plate models; without them those vehicles are pixelated whole (said once at start). " +
            "A clip hides, through its whole length, the plates (with a margin) or vehicles its event's first snapshot hid: a plate that drives through the clip is not followed.",
        }),
      vehicleLabels: z
        .array(z.string().min(1))
        .min(1)
        .default(['car', 'truck', 'bus', 'motorcycle'])
        .meta({ description: 'Detector labels whose boxes are searched for plates to pixelate (with `plates: true`).' }),
    })
    .optional()
    .meta({ description: 'Pixelate people (or other labels) in snapshots and clips that are not part of the event; absent: off.' }),
  clip: clipConfigSchema.default(clipConfigSchema.parse({})).meta({ description: 'Video clips around events.' }),
  trainingFrames: z.boolean().default(true).meta({
    description:
      "Also keep each snapshot's frame without the drawing (privacy-masked, bystanders pixelated like the snapshot) with the event's boxes: what `jifang dataset export` writes as training data once an operator confirmed the event. Costs one more JPEG per snapshot.",
  }),
  retentionDays: z.number().positive().default(30).meta({ description: 'Evidence older than this many days is deleted (default 30).' }),
  maxDiskUsedPercent: z
    .number()
    .min(1)
    .max(99)
    .default(90)
    .meta({ description: 'The oldest evidence is also deleted while the data disk is fuller than this percentage, 1 to 99 (default 90).' }),
  maxEvidenceMegabytes: z
    .number()
    .positive()
    .optional()
    .meta({ description: 'A limit in megabytes for the evidence folder itself; the oldest goes first. Absent: no limit.' }),
  reserveMegabytes: z.number().min(0).default(64).meta({
    description:
      'Free space kept on the data disk for alerts and the audit log: below it, snapshots and clips are not stored (alerts go without them) until space returns.',
  }),
  retentionIntervalMinutes: z
    .number()
    .positive()
    .default(10)
    .meta({ description: 'How often, in minutes, old evidence is deleted (default 10).' }),
});
export type EvidenceConfig = z.infer<typeof evidenceConfigSchema>;
