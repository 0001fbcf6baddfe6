import { EventEmitter } from 'node:events';
import { mkdir, rm } from 'node:fs/promises';
import type { StreamState } from '../contract/stream-state.ts';
import { type BackoffPolicy, backoffDelayMs } from '../core/backoff.ts';
import { streamAddress, watchForReturn } from '../core/probe.ts';
import { redact } from '../core/redact.ts';
import { systemClock } from '../core/time.ts';
import { buildFfmpegArgs, type RingOutput, toArgv } from './args.ts';
import type { CameraSourceConfig } from './config.ts';
import { FrameCutter } from './cutter.ts';
import { type FfmpegExit, type FfmpegProcess, failureReason, startFfmpeg } from './ffmpeg.ts';
import type { Frame } from './frame.ts';
import { isLive, type SourceKind, sourceKind } from './source-kind.ts';
import { FfmpegLogParser, isFrameChatter, type Size } from './stderr.ts';

/** The supervisor's view of one camera; the loop adds analysis counters to make a `CameraHealth`. */
export interface SourceStatus {
  camera: string;
  state: StreamState;
  reason?: string;
  /** When `state` was entered (ms since epoch). */
  since: number;
  /** ffmpeg restarts after the first start. */
  reconnects: number;
  framesRead: number;
  /** Streams that ended in the middle of a frame. */
  shortReads: number;
  lastFrameAt: number | null;
  /** The stream's own resolution as decoded, once known. */
  streamSize?: Size;
  /** Times the stream changed resolution while running (frames stay at the analysis size). */
  sizeChanges: number;
}

/** A camera not (yet) read: stopped since now, nothing counted. */
export function stoppedStatus(camera: string): SourceStatus {
  return { camera, state: 'stopped', since: Date.now(), reconnects: 0, framesRead: 0, shortReads: 0, lastFrameAt: null, sizeChanges: 0 };
}

interface Session {
  proc: FfmpegProcess;
  log: FfmpegLogParser;
  /** Set when the supervisor itself ends the run, and why. */
  killedFor?: string;
  /** Frames this run delivered. */
  frames: number;
  /** Resolves once the run's exit has been handled. */
  done: Promise<void>;
}

export interface CameraSourceEvents {
  frame: [Frame];
  state: [SourceStatus];
}

/** What the supervisor logs through: a pino logger, or the ingest worker's forwarder to the main thread's logger. */
export type LogSink = Record<'debug' | 'info' | 'warn' | 'error', (obj: Record<string, unknown>, msg: string) => void>;

const killGraceMs = 2000;
/** How often an unreachable camera's address is tried during a backoff (and how long each try waits). */
const probeEveryMs = 1000;

/**
 * One supervised ffmpeg process per camera: reads the detection stream, emits exact-size RGB24 frames, restarts with
 * backoff, restarts a stalled stream, explains failures in plain words. Frames' buffers come from a small pool:
 * give each back with `recycleTransferred()` once it is no longer read. Runs in the ingest worker thread (see
 * `source.ts`), so that inference blocking the main thread never blocks ffmpeg's pipe.
 */
export class StreamSupervisor extends EventEmitter<CameraSourceEvents> {
  readonly camera: string;
  readonly kind: SourceKind;
  readonly width: number;
  readonly height: number;
  readonly targetFps: number;
  private readonly cutter: FrameCutter;
  private readonly backoff: BackoffPolicy;
  private readonly stallMs: number;
  private readonly timeoutMs: number;
  private readonly argv: string[];
  private readonly input: string;
  private readonly ring: RingOutput | undefined;
  private readonly loop: boolean;
  private readonly log: LogSink;
  private st: SourceStatus;
  private session: Session | undefined;
  private attempt = 0;
  private seq = 0;
  private running = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopProbe: (() => void) | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private lastProgressAt = 0;

  /**
   * `log` should already carry the camera's `stage` and `camera` fields. `ring`: the same ffmpeg also copies the
   * stream into the evidence ring's segments, so a camera without a separate evidence stream is opened once.
   */
  constructor(
    cfg: CameraSourceConfig,
    log: LogSink,
    private readonly random: () => number = Math.random,
    ring?: RingOutput,
  ) {
    super();
    this.camera = cfg.id;
    this.kind = sourceKind(cfg.url);
    this.width = cfg.analysis.width;
    this.height = cfg.analysis.height;
    this.targetFps = cfg.analysis.fps;
    this.input = cfg.url;
    this.ring = ring;
    this.loop = cfg.loop;
    this.argv = toArgv(buildFfmpegArgs(cfg), ring);
    this.backoff = { initialMs: cfg.reconnect.initialSeconds * 1000, maxMs: cfg.reconnect.maxSeconds * 1000 };
    // A camera analysed at 0.1 fps, or decoded key frames only, is silent for seconds by design.
    this.stallMs = Math.max(cfg.stallSeconds, 3 / cfg.analysis.fps) * 1000;
    this.timeoutMs = cfg.timeoutSeconds * 1000;
    this.log = log;
    this.cutter = new FrameCutter(this.width, this.height, (data) => this.onFrame(data));
    this.st = stoppedStatus(cfg.id);
  }

  status(): SourceStatus {
    return { ...this.st };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.attempt = 0;
    this.log.info({ source: redact(this.input), fps: this.targetFps, size: `${this.width}x${this.height}` }, 'camera starting');
    void this.spawn();
    this.watchdog = setInterval(() => this.checkStall(), Math.min(1000, this.stallMs / 2));
  }

  /** Stops ffmpeg (SIGTERM, then SIGKILL after 2 s) and resolves once it has exited. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearTimeout(this.retryTimer);
    this.stopProbe?.();
    clearInterval(this.watchdog);
    const s = this.session;
    if (s) await this.kill(s, 'stopped');
    this.setState('stopped', undefined);
    this.log.info({}, 'camera stopped');
  }

  /** Takes back a frame buffer that was transferred to another thread and back (its owner gave it up). */
  recycleTransferred(data: Buffer): void {
    this.cutter.recycleTransferred(data);
  }

  private async spawn(): Promise<void> {
    this.setState('connecting', this.st.reason);
    if (this.ring) {
      // Stale segments have no trustworthy times: every run starts the ring afresh.
      await rm(this.ring.dir, { recursive: true, force: true });
      await mkdir(this.ring.dir, { recursive: true, mode: 0o700 });
      if (!this.running) return;
    }
    const parser = new FfmpegLogParser();
    const proc = startFfmpeg(this.argv, {
      stdout: true,
      ignoreStderr: isFrameChatter,
      onStderrLine: (line) => {
        const change = parser.line(line);
        if (parser.input) this.st.streamSize = parser.input;
        if (change) {
          this.st.sizeChanges++;
          this.log.warn(
            {
              from: `${change.from.width}x${change.from.height}`,
              to: `${change.to.width}x${change.to.height}`,
              analysis: `${this.width}x${this.height}`,
            },
            'stream changed resolution; frames are still scaled to the analysis size',
          );
        }
      },
    });
    proc.stdout!.on('data', (chunk: Buffer) => this.cutter.push(chunk));
    const session: Session = { proc, log: parser, frames: 0, done: proc.exited.then((exit) => this.onExit(session, exit)) };
    this.session = session;
    this.lastProgressAt = proc.startedAt;
    this.log.debug({ cmd: redact(this.argv.join(' ')) }, 'ffmpeg started');
  }

  private onFrame(data: Buffer): void {
    const now = Date.now();
    this.lastProgressAt = now;
    const size = this.session?.log.output;
    if (size && (size.width !== this.width || size.height !== this.height)) {
      this.cutter.recycle(data);
      if (this.session && !this.session.killedFor) {
        void this.kill(
          this.session,
          `frame size changed: ffmpeg writes ${size.width}x${size.height}, expected ${this.width}x${this.height}`,
        );
      }
      return;
    }
    this.st.framesRead++;
    this.st.lastFrameAt = now;
    if (this.session) this.session.frames++;
    if (this.st.state !== 'streaming') {
      this.attempt = 0;
      this.setState('streaming', undefined);
    }
    this.emit('frame', {
      camera: this.camera,
      seq: this.seq++,
      receivedAt: now,
      monoAt: systemClock.monotonic(),
      data,
      width: this.width,
      height: this.height,
    });
  }

  private onExit(session: Session, exit: FfmpegExit): void {
    if (this.session === session) this.session = undefined;
    const partial = this.cutter.discardPartial();
    if (partial > 0) {
      this.st.shortReads++;
      this.log.warn({ bytes: partial, frameBytes: this.cutter.frameBytes }, 'stream ended in the middle of a frame (short read)');
    }
    if (!this.running) return;
    const ended = exit.code === 0 && !session.killedFor;
    // ffmpeg cannot seek a raw elementary stream (.h264, .h265): `-stream_loop` ends it after one pass ("Operation not
    // permitted", exit 0). Such a file loops by starting again; one that gave no frame at all would only spin.
    if (ended && this.loop && this.kind === 'file' && session.frames > 0) {
      this.log.debug({ frames: session.frames }, 'file ended; playing it again');
      void this.spawn();
      return;
    }
    const reason = this.exitReason(session, exit);
    const permanent = !isLive(this.kind) && (reason === 'file not found' || ended);
    if (permanent || exit.spawnError) {
      const state = ended ? 'stopped' : 'failed';
      this.running = false;
      clearInterval(this.watchdog);
      this.setState(state, reason);
      if (state === 'stopped') this.log.info({ reason }, 'camera source ended');
      else this.log.error({ reason }, 'camera source failed for good');
      return;
    }
    const delay = backoffDelayMs(this.attempt++, this.backoff, this.random);
    this.setState('backoff', reason);
    this.log.warn({ reason, retryInSeconds: Math.round(delay / 100) / 10, attempt: this.attempt }, 'camera stream down, reconnecting');
    this.retryTimer = setTimeout(() => this.retry(), delay);
    this.probeDuringBackoff(delay);
  }

  private retry(): void {
    clearTimeout(this.retryTimer);
    this.stopProbe?.();
    if (!this.running) return;
    this.st.reconnects++;
    void this.spawn();
  }

  /**
   * During a long backoff, a TCP connect to the camera's address every second: once it has failed and then answers
   * (network or camera back after an outage), the reconnect happens now, not at the end of a backoff grown to its
   * maximum. A camera that answers all along fails for another reason (password, path) and is left to the backoff.
   */
  private probeDuringBackoff(delayMs: number): void {
    this.stopProbe?.();
    const addr = isLive(this.kind) ? streamAddress(this.input) : undefined;
    if (!addr || delayMs <= 2 * probeEveryMs) return;
    this.stopProbe = watchForReturn(addr, probeEveryMs, () => {
      if (!this.running || this.st.state !== 'backoff') return;
      this.log.info({}, 'camera answers again; reconnecting now');
      this.retry();
    });
  }

  private exitReason(session: Session, exit: FfmpegExit): string {
    if (session.killedFor) return session.killedFor;
    const known = failureReason(session.proc, exit, this.timeoutMs);
    if (known) return known;
    if (exit.code === 0) return isLive(this.kind) ? 'stream ended: the camera closed the connection' : 'end of file';
    const last = session.proc.stderr.filter((l) => l.trim() !== '').at(-1);
    const status = `ffmpeg exited with ${exit.code === null ? `signal ${exit.signal}` : `code ${exit.code}`}`;
    return redact(last ? `${status}: ${last.trim()}` : status);
  }

  private checkStall(): void {
    const s = this.session;
    if (!s || s.killedFor) return;
    const silentMs = Date.now() - this.lastProgressAt;
    // Until the first frame, ffmpeg's own timeout gets the chance to say what is wrong ("timed out", "404" …).
    const limitMs = this.st.state === 'streaming' ? this.stallMs : this.stallMs + this.timeoutMs;
    if (silentMs >= limitMs) {
      // A stalled connection cannot say goodbye anyway; SIGTERM would wait on the blocked read.
      void this.kill(s, `stalled: no frame for ${Math.round(silentMs / 100) / 10} s`, 'SIGKILL');
    }
  }

  /** SIGTERM by default so that ffmpeg sends RTSP TEARDOWN: cameras allow only a few sessions at a time. */
  private async kill(s: Session, why: string, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    s.killedFor ??= why;
    if (signal === 'SIGKILL') s.proc.kill('SIGKILL');
    else await s.proc.stop(killGraceMs);
    await s.done;
  }

  private setState(state: StreamState, reason: string | undefined): void {
    if (this.st.state === state && this.st.reason === reason) return;
    this.st = { ...this.st, state, reason, since: Date.now() };
    if (reason === undefined) delete this.st.reason;
    this.emit('state', this.status());
  }
}
