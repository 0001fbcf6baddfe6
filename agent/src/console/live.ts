import type { Catalogue } from '../catalogue/load.ts';
import type { Config } from '../config/schema.ts';
import type { Alert } from '../contract/alert.ts';
import type { CameraHealth } from '../contract/health.ts';
import type { RgbImage } from '../core/geometry.ts';
import type { Detection } from '../detect/types.ts';
import type { Frame } from '../ingest/frame.ts';
import type { RuleProgress } from '../rules/types.ts';
import type { Track } from '../track/types.ts';
import type { BoxHealth, ConsoleEvent, LiveFacts } from './wire.ts';

export type { ConsoleEvent, LiveFacts, LiveTrack } from './wire.ts';

/** The live facts as the runtime knows them: the rules' progress without the words the console shows. */
export type RuntimeFacts = Omit<LiveFacts, 'rules'> & { rules: RuleProgress[] };

export type ReloadOutcome = { ok: true; detail?: unknown } | { ok: false; error: string };

/**
 * What the console needs from the running agent, and nothing more: the runtime implements it. The console never
 * reaches into the pipelines, the loop or the publisher.
 */
export interface ConsoleRuntime {
  /** The config file the agent runs (the one the console edits). */
  readonly configFile: string;
  /** The running config (paths resolved, secrets expanded: never send it as is). */
  config(): Config;
  health(): CameraHealth[];
  /** The broker link, the outbox and the data disk (the Health page). */
  box(): Promise<BoxHealth>;
  /** Latest facts and (when asked for recently) the latest masked frame of a camera; the console adds the rules' words. */
  live(camera: string): { facts: RuntimeFacts; image?: { image: RgbImage; seq: number; at: number } } | undefined;
  /** Re-reads the config file and applies it as the `reload` command does. */
  reload(): Promise<ReloadOutcome>;
  /** The event catalogue the agent started with: the editor offers its presets. */
  readonly catalogue: Catalogue;
}

/**
 * Kept by each camera pipeline: the latest frame's detections and tracks every frame (references, no copy), and
 * a copy of the picture at most once per `imageIntervalMs` while someone watches (asked within `watchMs`).
 */
export class LiveRecorder {
  /** `at` is the wall clock (shown); `monoAt` the monotonic one the tracker's times are on (durations). */
  private facts?: {
    seq: number;
    at: number;
    monoAt: number;
    width: number;
    height: number;
    detections: readonly Detection[];
    tracks: readonly Track[];
  };
  private image?: { image: RgbImage; seq: number; at: number };
  private watchedUntil = 0;

  constructor(
    private readonly imageIntervalMs = 900,
    private readonly watchMs = 15_000,
  ) {}

  record(frame: Frame, detections: readonly Detection[], tracks: readonly Track[]): void {
    const at = frame.receivedAt;
    this.facts = { seq: frame.seq, at, monoAt: frame.monoAt, width: frame.width, height: frame.height, detections, tracks };
    if (at > this.watchedUntil || (this.image && at - this.image.at < this.imageIntervalMs)) return;
    let img = this.image?.image;
    if (!img || img.data.length !== frame.data.length)
      img = { data: new Uint8Array(frame.data.length), width: frame.width, height: frame.height };
    img.data.set(frame.data);
    this.image = { image: img, seq: frame.seq, at };
  }

  /** The latest facts; marks the camera watched so that pictures are kept. */
  read(now: number): { facts: Omit<LiveFacts, 'camera' | 'rules'>; image?: { image: RgbImage; seq: number; at: number } } | undefined {
    this.watchedUntil = now + this.watchMs;
    const f = this.facts;
    if (!f) return undefined;
    return {
      facts: {
        seq: f.seq,
        at: f.at,
        width: f.width,
        height: f.height,
        detections: f.detections.map((d) => ({ box: d.box, label: d.label, score: d.score })),
        tracks: f.tracks
          .filter((t) => t.state === 'tracked')
          .map((t) => ({
            id: t.id,
            label: t.label,
            score: t.meanScore,
            box: t.box,
            moving: t.moving,
            stationarySeconds: (f.monoAt - t.stationarySince) / 1000,
            seenSeconds: (f.monoAt - t.firstSeen) / 1000,
          })),
      },
      image: this.image,
    };
  }
}

/** The latest message of the box's recent events, newest first (bounded). */
export class EventFeed {
  private readonly byId = new Map<string, ConsoleEvent>();

  constructor(private readonly max = 200) {}

  add(alert: Alert): void {
    const prev = this.byId.get(alert.id);
    this.byId.delete(alert.id);
    this.byId.set(alert.id, {
      eventId: alert.id,
      camera: alert.cameraName ?? alert.camera,
      zone: alert.zoneName ?? alert.zone,
      type: alert.type,
      state: alert.state,
      startedAt: alert.startedAt,
      observedAt: alert.observedAt,
      dwellSeconds: alert.dwellSeconds,
      objects: alert.objects.map((o) => ({ label: o.label, trackId: o.trackId })),
      ...(alert.operator ? { operator: { action: alert.operator.action, by: alert.operator.by } } : {}),
      ...(alert.reason ? { reason: alert.reason } : {}),
      description: alert.rule.description,
      messages: (prev?.messages ?? 0) + 1,
      snapshotSha256: alert.evidence.snapshot?.sha256 ?? prev?.snapshotSha256,
      clipSha256: alert.evidence.clip?.sha256 ?? prev?.clipSha256,
    });
    if (this.byId.size > this.max) this.byId.delete(this.byId.keys().next().value!);
  }

  list(): ConsoleEvent[] {
    return [...this.byId.values()].reverse();
  }
}
