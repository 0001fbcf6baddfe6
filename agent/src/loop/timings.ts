import { Histogram, type Registry } from 'prom-client';
import type { DetectTimings } from '../detect/types.ts';
import { SampleWindow, type TimingSummary } from './samples.ts';

export const stageNames = ['wait', 'motion', 'preprocess', 'inference', 'decode', 'track', 'rules', 'publish'] as const;
export type StageName = (typeof stageNames)[number];

/** The periodic `…/metrics` payload's timing part: one interval, summaries in milliseconds. */
export interface TimingSnapshot {
  from: string;
  to: string;
  /** All cameras together; `inference` has one sample per detection window. */
  stages: Partial<Record<StageName, TimingSummary>>;
  /** Per camera: how old a frame was when inference on it started. */
  frameAge: Record<string, TimingSummary>;
}

const stageBuckets = [0.001, 0.0025, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5];
const ageBuckets = [0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2, 5, 10];

/**
 * Per-stage timing recorder shared by the loop and the stages: Prometheus histograms (per stage and camera) for
 * /metrics, and interval summaries for the MQTT metrics message. Camera labels appear as cameras record.
 */
export class StageTimings {
  private readonly stageHist: Histogram<'stage' | 'camera'>;
  private readonly ageHist: Histogram<'camera'>;
  private readonly stageWindows = new Map<StageName, SampleWindow>();
  private readonly ageWindows = new Map<string, SampleWindow>();
  private readonly children = new Map<string, { observe(v: number): void }>();
  private from: number;

  constructor(registry: Registry, now: number = Date.now()) {
    this.stageHist = new Histogram({
      name: 'jifang_stage_duration_seconds',
      help: 'Time spent per pipeline stage (inference: per detection window)',
      labelNames: ['stage', 'camera'],
      buckets: stageBuckets,
      registers: [registry],
    });
    this.ageHist = new Histogram({
      name: 'jifang_frame_age_seconds',
      help: 'Age of a frame (since its last byte was read from ffmpeg) when inference on it started',
      labelNames: ['camera'],
      buckets: ageBuckets,
      registers: [registry],
    });
    this.from = now;
  }

  record(stage: StageName, camera: string, ms: number): void {
    this.child(`s\0${stage}\0${camera}`, () => this.stageHist.labels(stage, camera)).observe(ms / 1000);
    window(this.stageWindows, stage).add(ms);
  }

  recordFrameAge(camera: string, ms: number): void {
    this.child(`a\0${camera}`, () => this.ageHist.labels(camera)).observe(ms / 1000);
    window(this.ageWindows, camera).add(ms);
  }

  /** Records a detector's preprocess, per-window inference and decode times. */
  recordDetect(camera: string, t: DetectTimings): void {
    this.record('preprocess', camera, t.preprocessMs);
    for (const ms of t.inferenceMs) this.record('inference', camera, ms);
    this.record('decode', camera, t.decodeMs);
  }

  /** Summaries since the previous snapshot, then starts a new interval. */
  takeSnapshot(now: number = Date.now()): TimingSnapshot {
    const stages: TimingSnapshot['stages'] = {};
    for (const name of stageNames) {
      const s = this.stageWindows.get(name)?.drain();
      if (s) stages[name] = s;
    }
    const frameAge: TimingSnapshot['frameAge'] = {};
    for (const [camera, w] of this.ageWindows) {
      const s = w.drain();
      if (s) frameAge[camera] = s;
    }
    const snap = { from: new Date(this.from).toISOString(), to: new Date(now).toISOString(), stages, frameAge };
    this.from = now;
    return snap;
  }

  // prom-client hashes the label set on every observe(); a cached child per stage and camera avoids that per frame.
  private child(key: string, make: () => { observe(v: number): void }) {
    let c = this.children.get(key);
    if (!c) this.children.set(key, (c = make()));
    return c;
  }
}

function window<K>(map: Map<K, SampleWindow>, key: K): SampleWindow {
  let w = map.get(key);
  if (!w) map.set(key, (w = new SampleWindow()));
  return w;
}
