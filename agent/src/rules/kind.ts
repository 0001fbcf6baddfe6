import type { z } from 'zod';
import type { Point } from '../core/geometry.ts';
import type { StaticBlob } from '../motion/scene.ts';
import type { Track } from '../track/types.ts';
import type { TrackLimits } from './limits.ts';
import type { RuleObject } from './objects.ts';
import type { CompiledZone } from './zone.ts';

export type { RuleObject } from './objects.ts';

export interface RuleInput {
  at: number;
  /**
   * Objects detected in this frame that pass the privacy masks, the rule's `minScore` and any
   * false-positive suppression, wherever they are in the frame.
   */
  tracks: readonly Track[];
  /** The subset of `tracks` whose anchor lies inside the zone. */
  inZone: readonly Track[];
  /**
   * Whether the track stands where a violation being followed lost sight of its objects: most
   * likely the same object under a new track id, which need not settle again.
   */
  resumes(track: Track): boolean;
  /**
   * New things that stay in the scene (the camera's scene model), in pixels of the analysed frame; absent when
   * no rule of the camera asks for them.
   */
  foreground?: readonly StaticBlob[];
  /**
   * Objects inside the zone the model scores too low to track but finds at the same place in most frames (see
   * track/weak-objects.ts), of the labels the rule's `weakLabels` asks for; absent when none are followed.
   */
  weakInZone?: readonly Track[];
}

/** One violation as seen in one frame. */
export interface Sighting {
  /** Zone-wide rules (one violation per zone) give a fixed key; per-object rules leave it out. */
  key?: string;
  /** Every object taking part, for the alert. */
  objects: readonly RuleObject[];
  /** The objects that identify the violation across frames (the parked vehicle, the stall): matched by id, then by place. */
  anchors: readonly RuleObject[];
  /**
   * Since when the condition has held for these objects (e.g. when the vehicle came to rest).
   * Absent: since the violation was first seen, kept through short gaps by the lifecycle.
   */
  since?: number;
}

export interface RuleEvaluator {
  evaluate(input: RuleInput): Sighting[];
}

/** What the console says of a rule type beside its `describe`. */
export interface RuleWords {
  /** What the followed objects are doing, in the console's live rule list ("car #12 stationary 40 / 180 s"). */
  verb: { zh: string; en: string };
}

/**
 * A line a rule judges (a crossing line), in its zone's units, held in the rule's `line` parameter: checked inside
 * the frame, drawn on snapshots, drawn and dragged in the console's editor.
 */
export interface RuleLine {
  points: readonly [Point, Point];
  direction: 'any' | 'left_to_right' | 'right_to_left';
}

/** What a rule type contributes: its condition, and the words the operator reads. */
export interface RuleKind<P> {
  words: RuleWords;
  /** Plain-language statement of the rule with its parameters and effective thresholds (the alert's `rule.description`). */
  describe(params: P, limits?: TrackLimits): string;
  /** How long the condition must hold before an event starts (or turns from warning into a violation). */
  dwellSeconds(params: P): number;
  /** A two-stage rule: the event starts this early in phase `warning` and becomes a `violation` after the dwell. */
  warnSeconds?(params: P): number | undefined;
  /**
   * The detector labels the rule needs: every group must be served by a model knowing at least one of its labels.
   * Empty: the rule decides without a model (static foreground).
   */
  needs(params: P): string[][];
  /** The rule reads static foreground from the camera's scene model. */
  usesForeground?(params: P): boolean;
  /** Labels the rule also takes from weak evidence (many low-score detections at one place); none when absent. */
  weakLabels?(params: P): readonly string[];
  /** What the event is about, for end reasons: "the vehicle". */
  subject(params: P): string;
  /** Why an event ended while its objects are still seen. */
  lapse(params: P): string;
  create(params: P, zone: CompiledZone): RuleEvaluator;
  /** Events are single moments (a crossing): they always end with the `lapse` reason. */
  instant?: boolean;
  /** The rule judges a line, not an area: a zone whose rules are all of such types needs no polygon. */
  zoneless?: boolean;
  /** The line the rule judges, drawn on its snapshots and checked inside the frame. */
  line?(params: P): RuleLine;
}

/** A rule type as the registry (kinds/index.ts) lists it: its config schema (with descriptions) and its behaviour. */
export interface RuleKindEntry<S extends z.ZodObject> extends RuleKind<z.output<S>> {
  readonly schema: S;
}

/**
 * Movement is only recognised a few seconds after it starts (the tracker smooths boxes), so an
 * object must have been at rest this long before rest-based rules consider it.
 */
export const SETTLE_MS = 10_000;

/**
 * Whether a track is at rest and has been long enough to count as stationary (capped by the rule's
 * own dwell). A track that has started to move drops out at once, so the lifecycle sees the gap and
 * restarts the dwell when the object settles again (creeping traffic never accumulates one).
 */
export function isSettled(t: Track, input: RuleInput, dwellSeconds: number): boolean {
  return !t.moving && (input.at - t.stationarySince >= Math.min(SETTLE_MS, dwellSeconds * 1000) || input.resumes(t));
}
