import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import type { Box, RgbImage } from '../core/geometry.ts';
import type { PrivacyMask } from '../core/privacy-mask.ts';
import { runFfmpeg } from '../ingest/ffmpeg.ts';
import { grabFrame } from './grab.ts';
import { clipSpan, type RingSegment } from './ring.ts';

export interface ClipResult {
  path: string;
  /** Wall-clock time of the clip's first frame. */
  startedAt: number;
  durationSeconds: number;
  /** False when the ring did not reach back to the pre-roll or forward to the post-roll (restart, outage). */
  complete: boolean;
  /** `copy`: the camera's own encoding; `masked`: re-encoded with the privacy masks and pixelation burnt in. */
  mode: 'copy' | 'masked';
}

/** A region to pixelate over the whole clip, in the clip's own pixels, with its block side. */
export interface PixelatedRegion {
  box: Box;
  block: number;
}

export interface CutOptions {
  out: string;
  /**
   * Given the video's size, what to pixelate in every frame (bystanders' plates found at the event's snapshot); when
   * it names any box the clip is re-encoded, as with masks.
   */
  pixelate?: (size: { width: number; height: number }) => readonly PixelatedRegion[];
  /** How long after the window the ring may begin and still give the clip (from its first second on); default 0. */
  lateMs?: number;
  /** When set and not empty, the clip is re-encoded with the masked pixels black. */
  mask?: PrivacyMask;
  /** ffmpeg video encoder arguments for masked clips. */
  encoder: readonly string[];
}

/**
 * Cuts [from, to] out of ring segments into one MP4.
 *
 * Unmasked: the segments are joined with the concat demuxer and stream-copied, starting at the
 * first segment's key frame (so at or up to one segment before `from`) and cut exactly at `to` (with B-frames:
 * at the end of the segment holding `to`).
 * Masked: masks must change pixels, so the same join is decoded, the mask image overlaid and the
 * result re-encoded, cut exactly at both ends. That costs CPU for the clip's length, once per event,
 * instead of re-encoding every camera all the time.
 */
export async function cutClip(segments: readonly RingSegment[], from: number, to: number, opts: CutOptions): Promise<ClipResult> {
  const span = clipSpan(segments, from, to, opts.lateMs ?? 0);
  if ('why' in span) throw new Error(span.why);
  const chosen = span.segments;
  const first = chosen[0];
  const last = chosen[chosen.length - 1];
  const end = Math.min(span.to, last.endAt);
  await mkdir(dirname(opts.out), { recursive: true });
  const list = `${opts.out}.ffconcat`;
  await writeFile(
    list,
    [
      'ffconcat version 1.0',
      ...chosen.flatMap((s) => [`file '${s.path.replace(/'/g, "'\\''")}'`, `duration ${((s.endAt - s.startAt) / 1000).toFixed(3)}`]),
      '',
    ].join('\n'),
  );
  const size = opts.pixelate || (opts.mask && !opts.mask.empty) ? await probeSize(first.path) : undefined;
  const pixelation = (size && opts.pixelate?.(size)) ?? [];
  const hasMask = opts.mask !== undefined && !opts.mask.empty;
  const masked = hasMask || pixelation.length > 0;
  const startedAt = masked ? Math.max(span.from, first.startAt) : first.startAt;
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  try {
    let args: string[];
    if (masked && size) {
      const png = hasMask ? await maskImage(opts.mask!, size.width, size.height, `${opts.out}.mask.png`) : undefined;
      args = [
        '-f',
        'concat',
        '-safe',
        '0',
        '-i',
        list,
        ...(png ? ['-i', png] : []),
        '-ss',
        seconds(startedAt - first.startAt),
        '-t',
        seconds(end - startedAt),
        '-filter_complex',
        reencodeFilter(size, pixelation, png !== undefined),
        '-map',
        '[v]',
        ...opts.encoder,
      ];
    } else {
      // A stream copy stops in decoding order: with B-frames a cut inside a GOP leaves out frames shown before the last
      // one kept (a stutter at the end). Such a clip runs to the end of its last segment, a key frame boundary.
      const cut = (await hasBFrames(first.path)) ? [] : ['-t', seconds(end - startedAt)];
      args = ['-f', 'concat', '-safe', '0', '-i', list, ...cut, '-map', '0:v:0', '-c', 'copy'];
    }
    // A masked re-encode is a CPU burst: below the analysis loop's priority, so detection keeps its budget.
    await runFfmpeg(['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args, '-an', '-movflags', '+faststart', opts.out], {
      nice: masked ? 10 : 0,
    });
  } finally {
    await rm(list, { force: true });
    await rm(`${opts.out}.mask.png`, { force: true });
  }
  const durationSeconds = await probeDuration(opts.out);
  return {
    path: opts.out,
    startedAt,
    durationSeconds,
    complete: first.startAt <= from && last.endAt >= to,
    mode: masked ? 'masked' : 'copy',
  };
}

/**
 * Waits until the ring has closed the segment holding `to` (post-roll), then cuts the clip.
 * Gives up waiting at `to + graceMs` and cuts what there is (then `complete` is false); a ring that began after the
 * window, within that grace, gives the clip from its first second.
 */
export async function clipAround(
  segments: () => Promise<RingSegment[]>,
  at: number,
  preSeconds: number,
  postSeconds: number,
  opts: CutOptions & { graceMs: number; now?: () => number; pollMs?: number; stopWaiting?: () => boolean },
): Promise<ClipResult> {
  const now = opts.now ?? Date.now;
  const from = at - preSeconds * 1000;
  const to = at + postSeconds * 1000;
  let segs = await segments();
  while ((segs.length === 0 || segs[segs.length - 1].endAt < to) && now() < to + opts.graceMs && !opts.stopWaiting?.()) {
    await sleep(opts.pollMs ?? 250);
    segs = await segments();
  }
  return cutClip(segs, from, to, { lateMs: opts.graceMs, ...opts });
}

/** Longer than one frame interval of any camera worth recording (4 fps and up). */
const LAST_FRAME_MS = 250;

/** The ring's frame at wall time `at`, decoded exactly; undefined when no finished segment holds it. */
export async function frameFromRing(segments: readonly RingSegment[], at: number, timeoutMs: number): Promise<RgbImage | undefined> {
  const seg = segments.find((s) => s.startAt <= at && at < s.endAt);
  if (!seg) return undefined;
  // A segment's listed length runs to the end of its last frame: stay a little before it so a frame remains.
  const seekSeconds = Math.max(0, Math.min(at - seg.startAt, seg.endAt - seg.startAt - LAST_FRAME_MS) / 1000);
  return grabFrame(seg.path, { rtspTransport: 'tcp', timeoutMs, seekSeconds });
}

/**
 * The filter graph of a re-encoded clip, out as `[v]`: each pixelated box cropped, shrunk to blocks (their mean
 * colour) and blown back up over its place, then the mask image (input 1) laid over everything. Boxes are clamped to
 * the picture and to even pixels (4:2:0 chroma). Pure.
 */
export function reencodeFilter(size: { width: number; height: number }, regions: readonly PixelatedRegion[], masked: boolean): string {
  const even = (v: number, max: number) => Math.min(max, Math.max(0, 2 * Math.round(v / 2)));
  const boxes = regions.flatMap(({ box: b, block }) => {
    const x = even(b.x1, size.width);
    const y = even(b.y1, size.height);
    const w = even(b.x2, size.width) - x;
    const h = even(b.y2, size.height) - y;
    return w >= 2 && h >= 2 ? [{ x, y, w, h, block: Math.max(2, block) }] : [];
  });
  const steps: string[] = [];
  let base = '0:v';
  if (boxes.length > 0) {
    steps.push(`[0:v]split=${boxes.length + 1}[p]${boxes.map((_, i) => `[c${i}]`).join('')}`);
    base = 'p';
  }
  boxes.forEach(({ x, y, w, h, block }, i) => {
    const cols = Math.max(1, Math.round(w / block));
    const rows = Math.max(1, Math.round(h / block));
    steps.push(`[c${i}]crop=${w}:${h}:${x}:${y},scale=${cols}:${rows}:flags=area,scale=${w}:${h}:flags=neighbor[b${i}]`);
    steps.push(`[${base}][b${i}]overlay=${x}:${y}[p${i}]`);
    base = `p${i}`;
  });
  steps.push(masked ? `[${base}][1:v]overlay=0:0:format=auto,format=yuv420p[v]` : `[${base}]format=yuv420p[v]`);
  return steps.join(';');
}

/** The mask as an RGBA PNG of the video's size: opaque black where masked, transparent elsewhere. */
async function maskImage(mask: PrivacyMask, width: number, height: number, path: string): Promise<string> {
  const rgba = new Uint8Array(width * height * 4);
  const spans = mask.spans(width, height);
  for (let k = 0; k < spans.length; k += 3) {
    const row = spans[k] * width;
    for (let x = spans[k + 1]; x < spans[k + 2]; x++) rgba[(row + x) * 4 + 3] = 255;
  }
  await sharp(rgba, { raw: { width, height, channels: 4 } })
    .png()
    .toFile(path);
  return path;
}

async function hasBFrames(path: string): Promise<boolean> {
  const out = (
    await runFfmpeg(['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=has_b_frames', '-of', 'csv=p=0', path], {
      tool: 'ffprobe',
    })
  ).toString();
  return Number(out.trim().split('\n')[0]) > 0;
}

async function probeSize(path: string): Promise<{ width: number; height: number }> {
  const out = (
    await runFfmpeg(['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', path], {
      tool: 'ffprobe',
    })
  ).toString();
  const [w, h] = out.trim().split('\n')[0].split(',').map(Number);
  if (!(w > 0 && h > 0)) throw new Error(`cannot read the video size of ${path} (ffprobe said "${out.trim()}")`);
  return { width: w, height: h };
}

export async function probeDuration(path: string): Promise<number> {
  const out = (
    await runFfmpeg(['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path], { tool: 'ffprobe' })
  ).toString();
  const d = Number(out.trim());
  if (!(d > 0)) throw new Error(`${path} is not a playable video (ffprobe duration "${out.trim()}")`);
  return d;
}
