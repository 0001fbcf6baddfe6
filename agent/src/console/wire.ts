import type { OperatorAction } from '../contract/event-states.ts';
import type { CameraHealth } from '../contract/health.ts';
import type { Box } from '../core/geometry.ts';
import type { RuleProgress } from '../rules/types.ts';

/* What the console's pages receive: shared by the server and the browser code (no Node imports here). */

/** An object the tracker follows, as the live view draws it. */
export interface LiveTrack {
  id: number;
  label: string;
  score: number;
  box: Box;
  moving: boolean;
  /** Seconds since it came to rest where it is. */
  stationarySeconds: number;
  /** Seconds since it was first seen. */
  seenSeconds: number;
}

/** The latest analysed frame's facts for one camera. */
export interface LiveFacts {
  camera: string;
  seq: number;
  at: number;
  width: number;
  height: number;
  detections: { box: Box; label: string; score: number }[];
  tracks: LiveTrack[];
  rules: LiveRule[];
}

/** A rule's live progress with its type's verb ("stationary", 静止), from the rule kinds registry. */
export type LiveRule = RuleProgress & { verb: { zh: string; en: string } };

/** One event as the console lists it: its latest message. */
export interface ConsoleEvent {
  eventId: string;
  camera: string;
  zone: string;
  type: string;
  state: string;
  startedAt: string;
  observedAt: string;
  dwellSeconds: number;
  /** The detector's labels and track numbers: the page says them in its language. */
  objects: { label: string; trackId: number }[];
  /** The last operator action and who took it, apart: the page words the action in its language. */
  operator?: { action: OperatorAction; by: string };
  /** The box's English words; the page gives them in its language. */
  reason?: string;
  description: string;
  messages: number;
  snapshotSha256?: string;
  clipSha256?: string;
}

/** The page-data block every console page carries: which page, who is logged in, and the camera it is about. */
export interface PageData {
  page: 'cameras' | 'camera' | 'calibration' | 'events' | 'health';
  user: string;
  role: string;
  camera?: string;
}

/** A catalogue preset as the rule editor offers it: the event type, its names and code, and the rule it stands for. */
export interface PresetInfo {
  id: string;
  name: { zh: string; en: string };
  /** GB/T 47678.5 code, when known. */
  code?: string;
  type: string;
  /** The preset's parameters, shown as the defaults of its rule type's form. */
  params: Record<string, unknown>;
}

/** The box beyond its cameras, as the Health page shows it: the broker link, the outbox, the data disk. */
export interface BoxHealth {
  broker: { url: string; connected: boolean; protocolVersion: number; reconnects: number; delivered: number };
  outbox: {
    messages: number;
    bytes: number;
    oldestAgeSeconds: number | null;
    /** Alerts waiting in memory because the outbox could not take them (a full disk). */
    held: number;
    dropped: Record<string, number>;
  };
  disk: { path: string; freeBytes: number | null; totalBytes: number | null };
  /** Why the box cannot do all it should (a full disk), in the agent's words; absent when it can. */
  degraded?: string;
}

/** GET /api/health, the Health page's facts: each camera's health with its configured name, and the box's. */
export interface HealthView {
  at: string;
  cameras: (CameraHealth & { name?: string })[];
  box: BoxHealth;
}

/** A catalogue event type as the rule form offers it for `event`; `defaultFor` lists the rule types it is the default of. */
export interface EventInfo {
  id: string;
  name: { zh: string; en: string };
  code?: string;
  defaultFor: string[];
}
