import { EventEmitter } from 'node:events';
import type { Logger } from '../core/log.ts';
import { redact } from '../core/redact.ts';
import { buildFfmpegArgs, type RingOutput, toArgv } from './args.ts';
import type { CameraSourceConfig } from './config.ts';
import type { Frame } from './frame.ts';
import type { FromWorker } from './protocol.ts';
import { type SourceKind, sourceKind } from './source-kind.ts';
import { type CameraSourceEvents, type SourceStatus, stoppedStatus } from './supervisor.ts';
import { IngestThread } from './thread.ts';

export type { CameraSourceEvents, SourceStatus } from './supervisor.ts';

/**
 * A camera as the main thread sees it. Its ffmpeg process is supervised, and its pipe read, in the shared ingest
 * worker thread: ONNX Runtime's run() blocks the main thread for the length of an inference, and a pipe read only
 * between inferences throttles ffmpeg (measured: 8 cameras fell seconds behind). Frames arrive here without a copy;
 * give each back with `recycle()` once nobody reads it.
 */
export class CameraSource extends EventEmitter<CameraSourceEvents> {
  readonly camera: string;
  readonly kind: SourceKind;
  readonly width: number;
  readonly height: number;
  readonly targetFps: number;
  /** Where evidence (snapshots, clips) is taken from: the main stream if configured, else the detection stream. */
  readonly evidenceUrl: string;
  private readonly log: Logger;
  private readonly cmd: string;
  private st: SourceStatus;
  private thread: IngestThread | undefined;
  private stopped: (() => void) | undefined;

  /**
   * Checks the source (URL scheme, transport) right away: a bad camera config fails here, not later. `ring`: the same
   * connection also records the evidence ring (a camera without a separate evidence stream is opened once).
   */
  constructor(
    private readonly cfg: CameraSourceConfig,
    log: Logger,
    private readonly ring?: RingOutput,
  ) {
    super();
    this.cmd = redact(['ffmpeg', ...toArgv(buildFfmpegArgs(cfg), ring)].join(' '));
    this.camera = cfg.id;
    this.kind = sourceKind(cfg.url);
    this.width = cfg.analysis.width;
    this.height = cfg.analysis.height;
    this.targetFps = cfg.analysis.fps;
    this.evidenceUrl = cfg.evidenceUrl ?? cfg.url;
    this.log = log.child({ stage: 'ingest', camera: cfg.id });
    this.st = stoppedStatus(cfg.id);
  }

  status(): SourceStatus {
    return { ...this.st };
  }

  /** The ffmpeg command line with passwords redacted (for logs and diagnostics). */
  commandLine(): string {
    return this.cmd;
  }

  start(): void {
    if (this.thread) return;
    const thread = IngestThread.acquire();
    thread.subscribe(this.camera, { onMessage: (m) => this.onMessage(m), onCrash: (err) => this.onCrash(err) });
    this.thread = thread;
    thread.send({ type: 'start', config: this.cfg, ...(this.ring ? { ring: this.ring } : {}) });
  }

  /** Stops ffmpeg and resolves once it has exited. */
  async stop(): Promise<void> {
    const thread = this.thread;
    if (!thread) return;
    await new Promise<void>((resolve) => {
      this.stopped = resolve;
      thread.send({ type: 'stop', camera: this.camera });
    });
    // A crash while stopping has already let go of the thread.
    if (this.thread !== thread) return;
    this.thread = undefined;
    await thread.release(this.camera);
  }

  /** Hands a frame's buffer back for reuse; the frame must not be read afterwards. Unknown frames are ignored. */
  recycle(frame: Frame): void {
    const buf = frame.data.buffer;
    // A buffer given back already is detached (byteLength 0): transferring it again would throw.
    if (!this.thread || frame.camera !== this.camera || !(buf instanceof ArrayBuffer) || buf.byteLength !== this.width * this.height * 3)
      return;
    this.thread.send({ type: 'recycle', camera: this.camera, data: buf }, [buf]);
  }

  private onMessage(m: FromWorker): void {
    switch (m.type) {
      case 'frame':
        this.st = m.status;
        this.emit('frame', {
          camera: this.camera,
          seq: m.seq,
          receivedAt: m.receivedAt,
          monoAt: m.monoAt,
          data: Buffer.from(m.data),
          width: this.width,
          height: this.height,
        });
        return;
      case 'state':
        this.st = m.status;
        this.emit('state', this.status());
        return;
      case 'stopped': {
        const changed = this.st.state !== m.status.state;
        this.st = m.status;
        if (changed) this.emit('state', this.status());
        this.stopped?.();
        this.stopped = undefined;
        return;
      }
      case 'log':
        this.log[m.level](m.obj, m.msg);
        return;
    }
  }

  private onCrash(err: Error): void {
    const thread = this.thread;
    this.thread = undefined;
    this.st = { ...this.st, state: 'failed', reason: `ingest worker crashed: ${err.message}`, since: Date.now() };
    this.log.error({ err }, 'ingest worker crashed');
    this.emit('state', this.status());
    this.stopped?.();
    this.stopped = undefined;
    void thread?.release(this.camera);
  }
}

export function createCameraSource(cfg: CameraSourceConfig, log: Logger, ring?: RingOutput): CameraSource {
  return new CameraSource(cfg, log, ring);
}
