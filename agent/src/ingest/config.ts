import { z } from 'zod';
import { positiveSeconds } from '../core/schema.ts';
import { streamUrlProblem } from './stream-url.ts';

// The form is checked as written, placeholders unexpanded: a typo's message can then never show the secret.
const streamUrl = z
  .string({ error: 'expected a stream URL or file path' })
  .min(1, { error: 'expected a stream URL or file path' })
  .superRefine((url, ctx) => {
    const problem = streamUrlProblem(url);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** How one camera is read; the detection stream is analysed, the evidence stream feeds snapshots and clips. */
export const cameraSourceFields = {
  url: streamUrl.meta({
    description:
      'The stream that is analysed (an NVR sub stream): rtsp://, rtsps://, http(s):// (MJPEG, HLS), a video file or a still image. Credentials can stay out of the file: ${env:NAME} or ${file:PATH} inside the URL.',
  }),
  evidenceUrl: streamUrl.optional().meta({
    description:
      'The full-resolution stream (an NVR main stream) for snapshots and clips, with the same ${env:…}/${file:…} placeholders. Absent: evidence comes from the analysed stream.',
  }),
  rtspTransport: z
    .enum(['tcp', 'udp'], { error: 'expected rtspTransport "tcp" or "udp"' })
    .default('tcp')
    .meta({ description: 'How RTSP video travels: tcp (default; no lost packets, works through firewalls) or udp.' }),
  loop: z.boolean().default(true).meta({ description: 'Video files and images: play again from the start when they end (default true).' }),
  analysis: z
    .strictObject({
      fps: z
        .number({ error: 'expected analysis.fps (frames per second)' })
        .min(0.01, { error: 'expected analysis.fps ≥ 0.01 (one frame every 100 s)' })
        .max(60, { error: 'expected analysis.fps ≤ 60' })
        .meta({ description: 'Frames analysed per second, 0.01 to 60 (the camera may send more; the rest are skipped).' }),
      width: z
        .number()
        .int()
        .min(32, { error: 'expected width ≥ 32 pixels' })
        .max(7680)
        .meta({ description: 'Width in pixels the stream is scaled to for analysis; zone pixel coordinates refer to this size.' }),
      height: z
        .number()
        .int()
        .min(32, { error: 'expected height ≥ 32 pixels' })
        .max(4320)
        .meta({ description: 'Height in pixels the stream is scaled to for analysis; zone pixel coordinates refer to this size.' }),
      resize: z.enum(['stretch', 'letterbox'], { error: 'expected analysis.resize "stretch" or "letterbox"' }).default('stretch').meta({
        description:
          "How the stream is fitted into width×height: stretch (default; pick a size with the stream's aspect ratio) or letterbox (keep the aspect ratio, picture top-left, black padding right and bottom).",
      }),
    })
    .default({ fps: 5, width: 640, height: 360, resize: 'stretch' })
    .meta({ description: 'The picture the detector sees: frame rate and size. Default 5 frames per second at 640×360.' }),
  inputOptions: z
    .array(z.string())
    .default([])
    .meta({ description: 'Extra ffmpeg input options, e.g. ["-hwaccel", "rkmpp"] on a Rockchip ffmpeg build. Default none.' }),
  keyframesOnly: z
    .boolean()
    .default(false)
    .meta({ description: 'Decode key frames only: saves CPU for analysis rates below about 1 frame per second (default false).' }),
  stallSeconds: z.number().positive().default(10).meta({
    description:
      "No frame for this many seconds restarts the stream's ffmpeg process (default 10; at least three analysis intervals, and timeoutSeconds more before a connection's first frame).",
  }),
  timeoutSeconds: positiveSeconds('timeoutSeconds')
    .default(10)
    .meta({ description: 'Network streams: seconds to wait when connecting or for data before ffmpeg gives up (default 10).' }),
  reconnect: z
    .strictObject({
      initialSeconds: positiveSeconds('reconnect.initialSeconds')
        .default(1)
        .meta({ description: 'Seconds before the first reconnect attempt (default 1).' }),
      maxSeconds: positiveSeconds('reconnect.maxSeconds')
        .default(30)
        .meta({ description: 'The longest wait between reconnect attempts (default 30).' }),
    })
    .refine((r) => r.maxSeconds >= r.initialSeconds, { error: 'expected reconnect.maxSeconds ≥ reconnect.initialSeconds' })
    .default({ initialSeconds: 1, maxSeconds: 30 })
    .meta({
      description: 'After a stream fails, the wait before reconnecting doubles from initialSeconds up to maxSeconds (with ±20 % jitter).',
    }),
};

/** The part of a camera's config that ingest reads, with its id (the full camera schema lives in config/schema.ts). */
export const cameraSourceSchema = z.object({ id: z.string().min(1), ...cameraSourceFields });
export type CameraSourceConfig = z.infer<typeof cameraSourceSchema>;
