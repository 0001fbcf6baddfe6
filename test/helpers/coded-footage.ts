import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { sample } from './paths.ts';

/** car-detection.mp4: 768×432 at 12.5 fps. */
export const CODED_FPS = 12.5;
const W = 768;
const H = 432;

export interface CodedOptions {
  /** File name inside `dir`. */
  name: string;
  /** ffmpeg video encoder arguments (codec, profile, GOP, B-frames). */
  encoder: string[];
  /** Seconds of footage (default: all 30 s). */
  seconds?: number;
}

/** A typical camera's encoding: H.264 with a 1 s key-frame interval and no B-frames. */
export const plainH264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-g', '12', '-keyint_min', '12', '-sc_threshold', '0', '-bf', '0'];

/**
 * The real sample footage with its frame number burnt into a 10-bit strip on top (white bar = 1), encoded as `encoder`
 * says. Reading the strip back (`frameIndex`) tells exactly which camera frame a decoded picture is.
 */
export function frameCodedSource(dir: string, o: CodedOptions): string {
  const bars = Array.from(
    { length: 10 },
    (_, k) => `drawbox=x=${k * 76 + 2}:y=0:w=72:h=24:c=white:t=fill:enable='mod(floor(n/pow(2\\,${k}))\\,2)'`,
  );
  const out = join(dir, o.name);
  const r = spawnSync('nice', [
    '-n',
    '10',
    'ffmpeg',
    '-v',
    'error',
    '-y',
    '-i',
    sample('car-detection.mp4'),
    ...(o.seconds ? ['-t', String(o.seconds)] : []),
    '-vf',
    [`drawbox=x=0:y=0:w=${W}:h=24:c=black:t=fill`, ...bars].join(','),
    ...o.encoder,
    '-an',
    out,
  ]);
  if (r.status !== 0) throw new Error(`cannot build the test source ${o.name}: ${r.stderr}`);
  return out;
}

/** The frame number burnt into an RGB24 picture of any size (the strip scales with the picture). */
export function frameIndex(rgb: Uint8Array, width: number, height: number): number {
  const y = Math.floor((12 * height) / H);
  let n = 0;
  for (let k = 0; k < 10; k++) {
    const x = Math.floor(((k * 76 + 38) * width) / W);
    if (rgb[(y * width + x) * 3 + 1] > 128) n |= 1 << k;
  }
  return n;
}

/** Every frame of a video file decoded, with its burnt-in frame number. */
export function decodeFrames(clip: string): { indices: number[]; rgb: (i: number) => Buffer; width: number; height: number } {
  const [width, height] = spawnSync('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=width,height',
    '-of',
    'csv=p=0',
    clip,
  ])
    .stdout.toString()
    .trim()
    .split(',')
    .map(Number);
  const raw = spawnSync('ffmpeg', ['-v', 'error', '-i', clip, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], {
    maxBuffer: 1 << 30,
  }).stdout;
  const size = width * height * 3;
  const indices: number[] = [];
  for (let f = 0; f < raw.length / size; f++) indices.push(frameIndex(raw.subarray(f * size, (f + 1) * size), width, height));
  return { indices, rgb: (i) => raw.subarray(i * size, (i + 1) * size), width, height };
}
