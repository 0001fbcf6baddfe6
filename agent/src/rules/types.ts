import type { EventState, OperatorAction } from '../contract/event-states.ts';
import type { Box } from '../core/geometry.ts';
import type { RuleConfig } from './config.ts';
import type { ForegroundInfo } from './objects.ts';

/** Two-stage rules (parking with `warnAfterSeconds`): a warning first, then the violation. */
export type EventPhase = 'warning' | 'violation';

/** An object taking part in a violation, as last seen. */
export interface EventObject {
  trackId: number;
  label: string;
  /** The configured model that saw it; absent for static foreground. */
  model?: string;
  score: number;
  /** Pixels of the analysed frame. */
  box: Box;
  /** A static foreground blob rather than a detected object (its `trackId` is then negative). */
  foreground?: ForegroundInfo;
}

export interface OperatorRecord {
  action: OperatorAction;
  by: string;
  at: number;
  note?: string;
  unit?: string;
}

/** A violation in progress, as `activeEvents()` lists it. Times are ms since the epoch. */
export interface EventView {
  /** Stable for the violation's whole lifecycle and unique across restarts. */
  eventId: string;
  camera: string;
  zone: { id: string; name?: string };
  rule: RuleConfig;
  /** Plain words for `rule` (its type's `describe`). */
  ruleDescription: string;
  /** When the condition began (the vehicle came to rest), not when the dwell was reached. */
  startedAt: number;
  /** The latest time the condition was seen to hold. */
  observedAt: number;
  dwellSeconds: number;
  objects: EventObject[];
  /** The latest operator action on the event. */
  operator?: OperatorRecord;
  /** Set once the event has been dispatched: the engine then watches whether the violation clears. */
  dispatchedAt?: number;
  /** Two-stage rules only: which stage the event is in. */
  phase?: EventPhase;
}

/** One lifecycle message of an event: what the integrator turns into an alert. */
export interface ViolationUpdate extends EventView {
  state: EventState;
  /** 0 for `started`, +1 for each later message of the event. */
  seq: number;
  endedAt?: number;
  /** Why the event ended or cleared, or why a reminder was sent, in plain words. */
  reason?: string;
  /** This frame shows the objects better than any frame sent before: take a new snapshot. */
  betterEvidence: boolean;
  /** An `updated` sent because a dispatched violation persists past `reminderSeconds`. */
  reminder: boolean;
}

export interface OperatorActionOptions {
  by: string;
  note?: string;
  unit?: string;
}

export type OperatorResult =
  | {
      ok: true;
      eventId: string;
      action: OperatorAction /** `ended` after false_positive or resolve, for publishing. */;
      update?: ViolationUpdate;
    }
  | {
      ok: false;
      /** `unknown_event`: no such event on this camera (try the next camera); `ended`: it has ended or was closed. */
      code: 'unknown_event' | 'ended';
      error: string;
    };

/** A violation being followed by one rule, before or after its event started: what the console shows live. */
export interface FollowedViolation {
  objects: EventObject[];
  /** When the condition began (dwell counts from here). */
  since: number;
  observedAt: number;
  /** Set once the dwell was reached and the event started. */
  eventId?: string;
}

/** One rule of one zone and what it is following now. */
export interface RuleProgress {
  zone: { id: string; name?: string };
  rule: { id: string; type: RuleConfig['type'] };
  /** Seconds the condition must hold before an event starts. */
  dwellSeconds: number;
  /** The rule's schedule is open at the latest frame. */
  open: boolean;
  followed: FollowedViolation[];
}
