import { z } from 'zod';

const streamUrl = z
  .string({ error: 'expected a stream URL or file path' })
  .min(1, { error: 'expected a stream URL or file path' });

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
      fps: z.number({ error: 'expected analysis.fps (frames per second)' }).positive({ error: 'expected analysis.fps > 0' }).max(60, { error: 'expected analysis.fps ≤ 60' }),
      width: z.number().int().min(32, { error: 'expected width ≥ 32 pixels' }).max(7680),
      height: z.number().int().min(32, { error: 'expected height ≥ 32 pixels' }).max(4320),
    })
    .default({ fps: 5, width: 640, height: 360 }),
  /** Extra ffmpeg input options, e.g. ["-hwaccel", "rkmpp"] on a Rockchip ffmpeg build. */
  inputOptions: z.array(z.string()).default([]),
  /** Decode key frames only (for analysis rates below ~1 fps). */
  keyframesOnly: z.boolean().default(false),
  /** No frame for this long → the ffmpeg process is restarted. */
  stallSeconds: z.number().positive().default(10),
};
