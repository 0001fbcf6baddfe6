import { spawn } from 'node:child_process';
import { sample } from './paths.ts';

/** A real photo composited onto a still: `from`, a crop of `photo`, scaled, placed at (x, y) of the scene from `fromSeconds` on. */
export interface Overlay {
  photo: string;
  crop: { x: number; y: number; width: number; height: number };
  width: number;
  at: { x: number; y: number };
  fromSeconds: number;
  /** Moves across: x grows by this many pixels a second. */
  speed?: number;
}

export interface SceneClip {
  /** A still from the samples, looped. */
  still: string;
  width: number;
  height: number;
  seconds: number;
  overlays?: Overlay[];
  /** An ffmpeg `eq` brightness expression of t (seconds), e.g. "if(gte(t,20),0.12,0)". */
  brightness?: string;
}

/** The ffmpeg input and filter arguments that make the clip (shared by file encoding and raw decoding). */
export function clipArgs(clip: SceneClip, fps: number): string[] {
  const inputs = ['-loop', '1', '-framerate', String(fps), '-t', String(clip.seconds), '-i', sample(clip.still)];
  const filters = [`[0:v]scale=${clip.width}:${clip.height},format=rgb24[s0]`];
  (clip.overlays ?? []).forEach((o, i) => {
    inputs.push('-loop', '1', '-framerate', String(fps), '-t', String(clip.seconds), '-i', sample(o.photo));
    filters.push(`[${i + 1}:v]crop=${o.crop.width}:${o.crop.height}:${o.crop.x}:${o.crop.y},scale=${o.width}:-2[o${i}]`);
    const x = o.speed ? `${o.at.x}+${o.speed}*(t-${o.fromSeconds})` : String(o.at.x);
    filters.push(`[s${i}][o${i}]overlay=x='${x}':y=${o.at.y}:enable='gte(t,${o.fromSeconds})'[s${i + 1}]`);
  });
  let last = `s${clip.overlays?.length ?? 0}`;
  if (clip.brightness) {
    filters.push(`[${last}]eq=brightness='${clip.brightness}':eval=frame[lit]`);
    last = 'lit';
  }
  filters.push(`[${last}]format=rgb24[out]`);
  return [...inputs, '-filter_complex', filters.join(';'), '-map', '[out]'];
}

/** Encodes the clip to an H.264 file (for the RTSP server or a file camera). */
export function encodeClip(clip: SceneClip, fps: number, out: string): Promise<void> {
  return run([
    '-y',
    ...clipArgs(clip, fps),
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-pix_fmt',
    'yuv420p',
    '-g',
    String(fps * 2),
    out,
  ]).then(() => undefined);
}

/** Every frame of the clip as RGB, decoded by ffmpeg at `fps`, with its time in seconds. */
export async function* clipFrames(clip: SceneClip, fps: number): AsyncGenerator<{ data: Uint8Array; t: number }> {
  const proc = spawn('ffmpeg', ['-v', 'error', ...clipArgs(clip, fps), '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const size = clip.width * clip.height * 3;
  let pending: Buffer = Buffer.alloc(0);
  let n = 0;
  for await (const chunk of proc.stdout as AsyncIterable<Buffer>) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= size) {
      yield { data: new Uint8Array(pending.subarray(0, size)), t: n++ / fps };
      pending = pending.subarray(size);
    }
  }
  const code = await new Promise<number | null>((resolve) =>
    proc.exitCode !== null ? resolve(proc.exitCode) : proc.once('exit', resolve),
  );
  if (code !== 0) throw new Error(`ffmpeg failed (${code}): ${err}`);
}

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn('ffmpeg', ['-v', 'error', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    proc.once('exit', (code) => (code === 0 ? resolve(err) : reject(new Error(`ffmpeg failed (${code}): ${err}`))));
  });
}
