import type { StaticBlob } from '../motion/scene.ts';
import type { Track } from '../track/types.ts';

/** A static foreground blob taking part in a violation: what the alert says about it besides its box. */
export interface ForegroundInfo {
  /** Foreground area in pixels of the analysed frame. */
  area: number;
  /** Labels of detected objects overlapping the blob (what the model thinks it may be). */
  overlaps: readonly string[];
}

/** What a candidate is made of: tracked objects, or static foreground blobs presented like them. */
export type RuleObject = Track & { foreground?: ForegroundInfo };

/**
 * Blob ids are positive and counted per camera; as rule objects they take negative ids so they never meet a
 * tracker id in the lifecycle's matching.
 */
export function blobObject(blob: StaticBlob, overlaps: readonly string[]): RuleObject {
  return {
    id: -blob.id,
    label: 'static_object',
    classId: -1,
    state: 'tracked',
    box: blob.box,
    score: 1,
    meanScore: 1,
    firstSeen: blob.since,
    lastSeen: blob.lastSeen,
    hits: 1,
    velocity: { x: 0, y: 0 },
    stationarySince: blob.since,
    moving: false,
    carried: false,
    lastDetected: blob.lastSeen,
    history: [],
    foreground: { area: blob.area, overlaps },
  };
}
