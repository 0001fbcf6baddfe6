import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { backoffDelayMs } from '../core/backoff.ts';
import { PRIVATE_DIR } from '../core/durable.ts';
import type { Logger } from '../core/log.ts';
import { redact } from '../core/redact.ts';
import { RING_LIST_FILE, type RingOutput, ringOutputArgs } from '../ingest/args.ts';
import { type FfmpegProcess, failureReason, startFfmpeg } from '../ingest/ffmpeg.ts';
import { sourceKind } from '../ingest/source-kind.ts';

export interface RingOptions {
  camera: string;
  /** The evidence (main) stream, or the detection stream when the camera has none. */
  url: string;
  rtspTransport: 'tcp' | 'udp';
  timeoutSeconds: number;
  inputOptions: readonly string[];
  /** Files only: play again from the start when they end (demo sources). */
  loop: boolean;
  /** This camera's ring folder (emptied on start: stale segments have no trustworthy times). */
  dir: string;
  segmentSeconds: number;
  /** How far back the ring must reach (pre-roll + post-roll + time to cut the clip). */
  keepSeconds: number;
  reconnect: { initialMs: number; maxMs: number };
}

/** A finished segment with its wall-clock span. */
export interface RingSegment {
  path: string;
  startAt: number;
  endAt: number;
}

/** Ring length in files: enough closed segments for `keepSeconds`, plus the one being written. */
export function ringSize(o: Pick<RingOptions, 'keepSeconds' | 'segmentSeconds'>): number {
  return Math.ceil(o.keepSeconds / o.segmentSeconds) + 2;
}

/** Where and how the ring writes, for whichever ffmpeg records it. */
export function ringOutput(o: Pick<RingOptions, 'dir' | 'keepSeconds' | 'segmentSeconds'>): RingOutput {
  return { dir: o.dir, segmentSeconds: o.segmentSeconds, files: ringSize(o) };
}

/** ffmpeg arguments for a ring recorded from its own connection (a camera's separate evidence stream). Pure. */
export function ringArgs(o: RingOptions): string[] {
  const input = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error'];
  const kind = sourceKind(o.url);
  const micros = String(Math.round(o.timeoutSeconds * 1e6));
  if (kind === 'rtsp') input.push('-rtsp_transport', o.rtspTransport, '-timeout', micros);
  else if (kind === 'http' || kind === 'hls') input.push('-rw_timeout', micros);
  else if (kind === 'file') input.push('-re', ...(o.loop ? ['-stream_loop', '-1'] : []));
  else throw new Error(`evidence ring for camera ${o.camera}: a still image has no video to keep; disable clips or give an evidenceUrl`);
  return [...input, ...o.inputOptions, '-i', o.url, ...ringOutputArgs(ringOutput(o), o.url)];
}

/**
 * Segments and their lengths from ffmpeg's CSV segment list (`name,start,end`, stream seconds); malformed lines are
 * left out. A segment lasts until the next one starts: the listed end is its last packet's presentation end, which in
 * an open-GOP stream (H.265 with B-frames) falls before the frames that lead the next key frame yet belong to this
 * segment. The newest entry has no successor and gets the gap seen before it. The first segment of a recording
 * (listed from 0) is left out: with B-frames its opening packets came without timestamps and were dropped, so it holds
 * less than its listed span. Pure.
 */
export function parseSegmentList(csv: string): { name: string; seconds: number }[] {
  const rows: { name: string; start: number; end: number }[] = [];
  for (const line of csv.split('\n')) {
    const m = /^([^,]+),([\d.]+),([\d.]+)\s*$/.exec(line);
    if (m) rows.push({ name: m[1], start: Number(m[2]), end: Number(m[3]) });
  }
  let gap = 0;
  return rows.flatMap((r, i) => {
    const next = rows[i + 1];
    if (next && next.start >= r.end) gap = next.start - r.end;
    return r.start === 0 ? [] : [{ name: r.name, seconds: r.end - r.start + gap }];
  });
}

/**
 * Wall-clock spans of the listed segments. ffmpeg closes a segment when the key frame that starts
 * the next one arrives, so its modification time is its end; its start is that minus its length.
 * Entries whose times do not increase in list order (a file rewritten behind the list) are dropped. Pure.
 */
export function timeline(
  list: readonly { name: string; seconds: number }[],
  mtimes: ReadonlyMap<string, number>,
  dir: string,
): RingSegment[] {
  const out: RingSegment[] = [];
  for (const e of list) {
    const endAt = mtimes.get(e.name);
    if (endAt === undefined || !(e.seconds > 0)) continue;
    const prev = out[out.length - 1];
    if (prev && endAt <= prev.endAt) continue;
    out.push({ path: join(dir, e.name), startAt: endAt - e.seconds * 1000, endAt });
  }
  return out;
}

/**
 * What to cut for the window [from, to]: the run of segments covering it as far as the ring has it or, when the ring
 * holds nothing of it but began at most `lateMs` after it (a camera's first seconds: a connection's first segment is
 * left out, see parseSegmentList; a reconnect), the same length from the ring's first second on — a later, shorter
 * clip rather than none. Otherwise why not, in words. Pure.
 */
export function clipSpan(
  segments: readonly RingSegment[],
  from: number,
  to: number,
  lateMs: number,
): { segments: RingSegment[]; from: number; to: number } | { why: string } {
  const run = selectSegments(segments, from, to);
  if (run.length > 0) return { segments: run, from, to };
  const iso = (ms: number) => new Date(ms).toISOString();
  const window = `${iso(from)} – ${iso(to)}`;
  if (segments.length === 0) return { why: `no ring segment covers ${window}: the ring holds no video (is the camera streaming?)` };
  const next = segments.find((s) => s.endAt > from);
  if (!next) return { why: `no ring segment covers ${window}: the ring's video ends at ${iso(segments[segments.length - 1].endAt)}` };
  if (next.startAt > to + lateMs) return { why: `no ring segment covers ${window}: the ring's video begins only at ${iso(next.startAt)}` };
  const moved = { from: next.startAt, to: next.startAt + (to - from) };
  return { segments: selectSegments(segments, moved.from, moved.to), ...moved };
}

/** The contiguous run of segments covering [from, to], as far as the ring has it. Pure. */
export function selectSegments(segments: readonly RingSegment[], from: number, to: number, maxGapMs = 1500): RingSegment[] {
  const first = segments.findIndex((s) => s.endAt > from);
  if (first < 0 || segments[first].startAt >= to) return [];
  const run = [segments[first]];
  for (let i = first + 1; i < segments.length && run[run.length - 1].endAt < to; i++) {
    if (segments[i].startAt - run[run.length - 1].endAt > maxGapMs) break;
    run.push(segments[i]);
  }
  return run;
}

/**
 * One camera's segment ring. `own`: a supervised ffmpeg stream copy of the evidence stream, restarted with backoff
 * when it ends or stops writing segments. `ingest`: the camera's analysis ffmpeg writes the segments as a second
 * output of its one connection (see `ringOutput`), and the ring only reads them.
 */
export class SegmentRing {
  private proc: FfmpegProcess | undefined;
  private stopped = true;
  private attempt = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private spawnedAt = 0;
  private readonly log: Logger;

  constructor(
    readonly opts: RingOptions,
    log: Logger,
    readonly recorder: 'own' | 'ingest' = 'own',
  ) {
    this.log = log.child({ stage: 'evidence', camera: opts.camera });
  }

  async start(): Promise<void> {
    this.stopped = false;
    if (this.recorder === 'ingest') return;
    await this.spawn();
    const stallMs = Math.max(this.opts.timeoutSeconds * 1000, this.opts.segmentSeconds * 10_000) + 5000;
    this.watchdog = setInterval(() => void this.checkStall(stallMs), Math.min(stallMs, 5000));
    this.watchdog.unref();
  }

  /** Stops ffmpeg and deletes the ring: unmasked video is kept only while the agent runs. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    clearInterval(this.watchdog);
    await this.proc?.stop(3000);
    await rm(this.opts.dir, { recursive: true, force: true });
  }

  /** Finished segments, oldest first. */
  async segments(): Promise<RingSegment[]> {
    const csv = await readFile(join(this.opts.dir, RING_LIST_FILE), 'utf8').catch(() => '');
    const list = parseSegmentList(csv);
    const mtimes = new Map<string, number>();
    for (const e of list) {
      const s = await stat(join(this.opts.dir, e.name)).catch(() => undefined);
      if (s && s.size > 0) mtimes.set(e.name, s.mtimeMs);
    }
    return timeline(list, mtimes, this.opts.dir);
  }

  private async spawn(): Promise<void> {
    await rm(this.opts.dir, { recursive: true, force: true });
    await mkdir(this.opts.dir, { recursive: true, mode: PRIVATE_DIR });
    if (this.stopped) return;
    const started = Date.now();
    this.spawnedAt = started;
    const proc = startFfmpeg(ringArgs(this.opts), { keepStderr: 50 });
    this.proc = proc;
    void proc.exited.then((exit) => {
      if (this.proc === proc) this.proc = undefined;
      if (this.stopped) return;
      const elapsedMs = Date.now() - started;
      if (elapsedMs > 60_000) this.attempt = 0;
      const reason =
        failureReason(proc, exit, this.opts.timeoutSeconds * 1000) ?? redact(proc.stderr.at(-1) ?? `exit ${exit.code ?? exit.signal}`);
      const delay = backoffDelayMs(this.attempt++, this.opts.reconnect);
      this.log.warn({ reason, retryInMs: Math.round(delay) }, 'evidence ring stopped; restarting');
      this.restartTimer = setTimeout(
        () => void this.spawn().catch((err) => this.log.error({ err }, 'evidence ring restart failed')),
        delay,
      );
    });
    this.log.debug({ url: redact(this.opts.url), dir: this.opts.dir }, 'evidence ring started');
  }

  private async checkStall(stallMs: number): Promise<void> {
    if (this.stopped || !this.proc) return;
    const s = await stat(join(this.opts.dir, RING_LIST_FILE)).catch(() => undefined);
    const lastAt = s?.mtimeMs ?? 0;
    if (Date.now() - Math.max(lastAt, this.spawnedAt) > stallMs) {
      this.log.warn({ stallMs }, 'evidence ring wrote no segment for too long; restarting ffmpeg');
      this.proc.kill('SIGKILL');
    }
  }
}
