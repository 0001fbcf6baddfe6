import { join } from 'node:path';
import type { CameraSourceConfig } from './config.ts';
import { sourceKind } from './source-kind.ts';

export type FfmpegSourceConfig = Pick<
  CameraSourceConfig,
  'url' | 'rtspTransport' | 'loop' | 'analysis' | 'inputOptions' | 'keyframesOnly' | 'timeoutSeconds'
>;

/** The analysis output of one ffmpeg invocation: input options, the input, the frame output's options. */
export interface FfmpegArgs {
  input: string;
  inputOptions: string[];
  outputOptions: string[];
}

/**
 * ffmpeg arguments that turn a camera source into exact `width×height` RGB24 frames on stdout at no more than
 * the analysis rate. Pure: the same config always gives the same arguments.
 */
export function buildFfmpegArgs(cfg: FfmpegSourceConfig): FfmpegArgs {
  const kind = sourceKind(cfg.url);
  const { fps, width, height, resize } = cfg.analysis;
  const timeoutMicros = String(Math.round(cfg.timeoutSeconds * 1e6));
  // verbose: the output size line and the scaler's input size (re-announced when a camera changes resolution);
  // -nostats drops the progress lines.
  const input = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'verbose'];

  switch (kind) {
    // Half a second of probing is plenty when the SDP names the codec; ffmpeg's default (and -fflags nobuffer,
    // measured) holds the first frame back for 2.5–5 s after every reconnect.
    case 'rtsp':
      if (/^rtsps:/i.test(cfg.url) && cfg.rtspTransport === 'udp') {
        throw new Error('rtsps:// runs over TLS, which needs TCP: set rtspTransport to "tcp" (or drop it) for this camera');
      }
      input.push('-rtsp_transport', cfg.rtspTransport, '-timeout', timeoutMicros, '-analyzeduration', '500000', '-flags', 'low_delay');
      break;
    case 'http':
      input.push('-rw_timeout', timeoutMicros, '-analyzeduration', '500000', '-flags', 'low_delay');
      break;
    case 'hls':
      // -re: an NVR's recorded (VOD) playlist would otherwise be decoded as fast as the CPU allows; live is unaffected.
      input.push('-re', '-rw_timeout', timeoutMicros);
      break;
    case 'file':
      // -re paces a recording like a live camera; without it a file is decoded as fast as the CPU allows.
      input.push('-re', ...(cfg.loop ? ['-stream_loop', '-1'] : []));
      break;
    case 'image':
      input.push('-re', ...(cfg.loop ? ['-loop', '1'] : []), '-framerate', String(fps));
      break;
  }
  if (cfg.keyframesOnly) input.push('-skip_frame', 'nokey');
  // One decoder thread: a sub stream decodes easily on one core, and frame threading would add frames of latency
  // and contend with inference when many cameras share a small box.
  input.push('-threads', '1', ...cfg.inputOptions);

  const scale =
    resize === 'letterbox'
      ? `scale=${width}:${height}:force_original_aspect_ratio=decrease:flags=bilinear,pad=${width}:${height}:0:0:black`
      : `scale=${width}:${height}:flags=bilinear`;
  // Frames above the analysis rate are dropped before scaling and colour conversion, not after: one frame per
  // 1/fps time slot passes (never duplicated).
  const select = `select='isnan(prev_selected_t)+gt(floor(t*${fps}),floor(prev_selected_t*${fps}))'`;
  const output = [
    '-an',
    '-sn',
    '-dn',
    '-vf',
    `${select},${scale}`,
    // vfr: frames pass as the select filter lets them, never duplicated, so a slow camera is not padded with copies.
    // No -r beside it: the select filter already caps the rate, and ffmpeg 7 refuses -r with a non-constant
    // fps_mode ("contradictory"), which stopped every camera on Debian 13's ffmpeg 7.1.
    '-fps_mode',
    'vfr',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
  ];
  return { input: cfg.url, inputOptions: input, outputOptions: output };
}

/** The evidence ring as a second output of the same input: segments of the stream as it came (copied, not decoded). */
export interface RingOutput {
  dir: string;
  segmentSeconds: number;
  /** Files in the ring before it wraps around. */
  files: number;
}

export const RING_LIST_FILE = 'segments.csv';

/**
 * The stream copied (no decode, no re-encode, no audio) into short MPEG-TS segments that wrap around, and a CSV list
 * of the finished ones. MPEG-TS because a segment cut by a crash is still readable. Pure.
 */
export function ringOutputArgs(r: RingOutput, input: string): string[] {
  return [
    '-map',
    '0:v:0',
    '-c',
    'copy',
    '-an',
    '-sn',
    '-dn',
    // With B-frames (H.264 high profile, H.265) ffmpeg's RTSP demuxer hands over the first key frame of a connection
    // without a presentation time; the MPEG-TS muxer refuses that packet ("first pts and dts value must be set") and
    // the whole ffmpeg, analysis included, exits. Packets without one are dropped, so the copy starts at the next key
    // frame (the ring leaves out the first segment of a connection, see parseSegmentList). A file has its times, and
    // a looped one must not pass the filter: it takes the first loop's end for the end of the stream, and the ring
    // stops recording there while analysis goes on.
    ...(sourceKind(input) === 'file' ? [] : ['-bsf:v', 'noise=drop=eq(pts\\,nopts)']),
    '-f',
    'segment',
    '-segment_time',
    String(r.segmentSeconds),
    '-segment_wrap',
    String(r.files),
    '-segment_format',
    'mpegts',
    '-reset_timestamps',
    '1',
    // One entry fewer than files: the segment being (re)written is never in the list.
    '-segment_list',
    join(r.dir, RING_LIST_FILE),
    '-segment_list_type',
    'csv',
    '-segment_list_size',
    String(r.files - 1),
    join(r.dir, 'seg-%03d.ts'),
  ];
}

/** The full command line: frames to stdout and, when given, the ring's segments from the same connection. */
export function toArgv(a: FfmpegArgs, ring?: RingOutput): string[] {
  return [...a.inputOptions, '-i', a.input, '-map', '0:v:0', ...a.outputOptions, 'pipe:1', ...(ring ? ringOutputArgs(ring, a.input) : [])];
}
