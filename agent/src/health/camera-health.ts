import type { CameraHealth } from '../contract/health.ts';
import type { SourceStatus } from '../ingest/source.ts';
import type { Rereference } from '../motion/scene.ts';

/** The analysis side of a camera's health (the frame loop's counters). */
export interface AnalysisCounters {
  targetFps: number;
  analysedFps: number;
  analysedFrames: number;
  skippedFrames: number;
  /** 1 − analysed/target while frames are being skipped, else 0. */
  shortfall?: number;
  detection?: DetectionCounters;
}

/** A camera analysed this much under its target frame rate is degraded (a tenth short is only logged). */
const DEGRADED_SHORTFALL = 0.25;

/** Where the camera's inferences go (per-frame figures averaged over about 10 s). */
export interface DetectionCounters {
  inferences: number;
  inferencesPerFrame: number;
  regionsPerFrame: number;
  motionArea: number;
  carried: number;
  recalibrations: number;
  /** Per model of the camera (cumulative): inferences run, and frames it failed on. */
  models: Record<string, { inferences: number; failures: number }>;
  /** Present for a camera with a scene model (a rule reads static foreground). */
  scene?: SceneCounters;
}

/** The scene model's re-references; `last.at` is the wall clock. */
export interface SceneCounters {
  rereferences: number;
  last?: Rereference;
}

/** `…/{camera}/health` from the stream supervisor's status and the loop's counters. */
export function cameraHealth(
  src: Pick<SourceStatus, 'camera' | 'state' | 'reason' | 'since' | 'reconnects' | 'lastFrameAt'>,
  analysis: AnalysisCounters,
  now: number,
  evidence: Pick<CameraHealth, 'lastClipFailure'> = {},
): CameraHealth {
  return {
    camera: src.camera,
    state: src.state,
    ...(src.reason !== undefined ? { reason: src.reason } : {}),
    since: new Date(src.since).toISOString(),
    targetFps: analysis.targetFps,
    analysedFps: Math.round(analysis.analysedFps * 100) / 100,
    skippedFrames: analysis.skippedFrames,
    analysedFrames: analysis.analysedFrames,
    lastFrameAgeSeconds: src.lastFrameAt === null ? null : Math.max(0, Math.round(now - src.lastFrameAt) / 1000),
    reconnects: src.reconnects,
    ...(analysis.detection && analysis.analysedFrames > 0 ? { detection: detectionHealth(analysis.detection) } : {}),
    ...(analysis.detection?.scene ? { scene: sceneHealth(analysis.detection.scene) } : {}),
    ...degradedOf(src.state, analysis),
    ...(evidence.lastClipFailure && { lastClipFailure: evidence.lastClipFailure }),
    at: new Date(now).toISOString(),
  };
}

/** Why a streaming camera's analysis falls short, in words an installer acts on; nothing when it does not. */
function degradedOf(state: CameraHealth['state'], a: AnalysisCounters): { degraded?: string } {
  if (state !== 'streaming') return {};
  const why: string[] = [];
  if ((a.shortfall ?? 0) >= DEGRADED_SHORTFALL)
    why.push(
      `analysing ${Math.round(a.analysedFps * 10) / 10} of ${a.targetFps} frames per second: the box cannot keep up (fewer cameras, a lower analysis fps or a smaller analysis size)`,
    );
  if (a.detection?.scene?.last?.referenceLost)
    why.push("the installer's clean-scene reference was replaced after the view changed: capture a new one");
  return why.length > 0 ? { degraded: why.join('; ') } : {};
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

function detectionHealth(d: DetectionCounters): NonNullable<CameraHealth['detection']> {
  return {
    inferencesPerFrame: r3(d.inferencesPerFrame),
    regionsPerFrame: r3(d.regionsPerFrame),
    motionAreaFraction: r3(d.motionArea),
    carriedObjects: d.carried,
    recalibrations: d.recalibrations,
    inferences: d.inferences,
    ...(Object.keys(d.models).length > 0 ? { models: structuredClone(d.models) } : {}),
  };
}

function sceneHealth(s: SceneCounters): NonNullable<CameraHealth['scene']> {
  if (!s.last) return { rereferences: s.rereferences };
  const { at, reason, shift, changedShare, referenceLost } = s.last;
  return {
    rereferences: s.rereferences,
    lastRereference: { at: new Date(at).toISOString(), reason, ...(shift && { shift }), changedShare: r3(changedShare), referenceLost },
  };
}
