import { z } from 'zod';

const streamUrl = z.string({ error: 'expected a stream URL or file path' }).min(1, { error: 'expected a stream URL or file path' });

const seconds = (what: string) =>
  z.number({ error: `expected ${what} in seconds (number)` }).positive({ error: `expected ${what} > 0 seconds` });

/** How one camera is read; the detection stream is analysed, the evidence stream feeds snapshots and clips. */
export const cameraSourceFields = {
  /** Detection stream (NVR sub stream): rtsp://, rtsps://, http(s):// (MJPEG, HLS), a video file or a still image. */
  url: streamUrl,
  /** Evidence stream (NVR main stream), full resolution; absent = evidence from the detection stream. */
  evidenceUrl: streamUrl.optional(),
  rtspTransport: z.enum(['tcp', 'udp'], { error: 'expected rtspTransport "tcp" or "udp"' }).default('tcp'),
  /** Files and images: play again from the start when they end. */
  loop: z.boolean().default(true),
  analysis: z
    .strictObject({
      fps: z
        .number({ error: 'expected analysis.fps (frames per second)' })
        .min(0.01, { error: 'expected analysis.fps ≥ 0.01 (one frame every 100 s)' })
        .max(60, { error: 'expected analysis.fps ≤ 60' }),
      width: z.number().int().min(32, { error: 'expected width ≥ 32 pixels' }).max(7680),
      height: z.number().int().min(32, { error: 'expected height ≥ 32 pixels' }).max(4320),
      /**
       * How ffmpeg fits the stream into width×height: `stretch` (default; pick a size with the stream's
       * aspect ratio) or `letterbox` (keep the aspect ratio, image top-left, black padding right/bottom).
       */
      resize: z.enum(['stretch', 'letterbox'], { error: 'expected analysis.resize "stretch" or "letterbox"' }).default('stretch'),
    })
    .default({ fps: 5, width: 640, height: 360, resize: 'stretch' }),
  /** Extra ffmpeg input options, e.g. ["-hwaccel", "rkmpp"] on a Rockchip ffmpeg build. */
  inputOptions: z.array(z.string()).default([]),
  /** Decode key frames only (for analysis rates below ~1 fps). */
  keyframesOnly: z.boolean().default(false),
  /**
   * No frame for this long → the ffmpeg process is restarted (at least three analysis intervals; before a
   * connection's first frame, `timeoutSeconds` more).
   */
  stallSeconds: z.number().positive().default(10),
  /** Network sources: connect and socket read timeout handed to ffmpeg. */
  timeoutSeconds: seconds('timeoutSeconds').default(10),
  /** Delay before reconnecting: doubles from `initialSeconds` up to `maxSeconds`, with ±20 % jitter. */
  reconnect: z
    .strictObject({
      initialSeconds: seconds('reconnect.initialSeconds').default(1),
      maxSeconds: seconds('reconnect.maxSeconds').default(30),
    })
    .refine((r) => r.maxSeconds >= r.initialSeconds, { error: 'expected reconnect.maxSeconds ≥ reconnect.initialSeconds' })
    .default({ initialSeconds: 1, maxSeconds: 30 }),
};

/** The part of a camera's config that ingest reads, with its id (the full camera schema lives in config/schema.ts). */
export const cameraSourceSchema = z.object({ id: z.string().min(1), ...cameraSourceFields });
export type CameraSourceConfig = z.infer<typeof cameraSourceSchema>;
