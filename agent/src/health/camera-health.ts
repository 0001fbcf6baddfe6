import type { SourceStatus } from '../ingest/source.ts';
import type { CameraHealth } from './schema.ts';

/** The analysis side of a camera's health (the frame loop's counters). */
export interface AnalysisCounters {
  targetFps: number;
  analysedFps: number;
  analysedFrames: number;
  skippedFrames: number;
}

/** `…/{camera}/health` from the stream supervisor's status and the loop's counters. */
export function cameraHealth(src: Pick<SourceStatus, 'camera' | 'state' | 'reason' | 'since' | 'reconnects' | 'lastFrameAt'>, analysis: AnalysisCounters, now: number): CameraHealth {
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
    at: new Date(now).toISOString(),
  };
}
