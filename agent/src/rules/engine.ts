import { randomBytes } from 'node:crypto';
import type { OperatorAction } from '../contract/event-states.ts';
import type { Point } from '../core/geometry.ts';
import { bottomCentre, pointInPolygon } from '../core/geometry.ts';
import type { Logger } from '../core/log.ts';
import type { Instant } from '../core/time.ts';
import type { StaticBlob } from '../motion/scene.ts';
import type { Track } from '../track/types.ts';
import type { RuleConfig, ZoneConfig } from './config.ts';
import { toPixels } from './geometry.ts';
import type { RuleEvaluator } from './kind.ts';
import { ruleKind } from './kinds/index.ts';
import { createLifecycle, type Lifecycle, type RestoreOptions } from './lifecycle.ts';
import type { TrackLimits } from './limits.ts';
import type { SavedEvent } from './restore.ts';
import { inSchedule } from './schedule.ts';
import { thresholdWarnings } from './thresholds.ts';
import type { EventView, OperatorActionOptions, OperatorResult, RuleProgress, ViolationUpdate } from './types.ts';
import { type CompiledZone, compileZone } from './zone.ts';

export interface CameraRules {
  /**
   * Judges one frame's tracks (from the tracker, fed `at.mono`; frames in monotonic order) against every zone's
   * rules and returns the lifecycle messages due now. Durations are measured on `at.mono`; the messages'
   * timestamps and the schedules read `at.wall`, which may step either way. `foreground`: the static blobs of the
   * camera's scene model, when `needsForeground`.
   */
  evaluate(tracks: readonly Track[], at: Instant, foreground?: readonly StaticBlob[]): ViolationUpdate[];
  /** Some rule reads static foreground: the camera must run a scene model and pass its blobs. */
  readonly needsForeground: boolean;
  /**
   * An operator's decision on an active event: `ack` records it; `dispatch` records it and watches
   * the spot (state `cleared` when the violation goes, a reminder `updated` every `reminderSeconds`
   * while it stays); `false_positive` ends the event and ignores its objects in that zone for
   * `suppressSeconds`; `resolve` ends it. An unknown or closed event id changes nothing.
   */
  applyOperatorAction(eventId: string, action: OperatorAction, at: Instant, opts: OperatorActionOptions): OperatorResult;
  /** Events started and not ended, for status and snapshot requests. */
  activeEvents(): EventView[];
  /** Every rule of every zone with what it follows now, for the console's live view. */
  progress(): RuleProgress[];
  /** The open events, to be written to disk so that a restart continues them. */
  saveOpenEvents(): SavedEvent[];
  /**
   * Hands events saved by the previous run to their rules (same zone id, rule id and type), to be taken over at the
   * next frame. Returns those no rule of this camera takes (the config changed).
   */
  restoreOpenEvents(saved: readonly SavedEvent[], opts: RestoreOptions): SavedEvent[];
}

export interface CameraRulesOptions {
  logger: Logger;
  /** Event ids (given the wall clock): unique across restarts (time plus randomness) and safe in MQTT topics. */
  newEventId?: (wallAt: number) => string;
}

const ENDED_REMEMBERED = 1000;

interface BoundRule {
  params: RuleConfig;
  evaluator: RuleEvaluator;
  lifecycle: Lifecycle;
}

/** Rules are judged on the frame the detector saw: the camera's analysis size. */
/** The parts of a camera's config its rules read. */
export interface RulesCamera {
  id: string;
  analysis: { width: number; height: number };
  privacyMasks: readonly Point[][];
  zones: readonly ZoneConfig[];
  /** The camera's tracker: its new-track score bounds every rule's effective minScore. */
  tracker?: TrackLimits;
}

export function createCameraRules(camera: RulesCamera, site: { timezone: string }, opts: CameraRulesOptions): CameraRules {
  const frame = camera.analysis;
  const logger = opts.logger.child({ stage: 'rules', camera: camera.id });
  const newEventId = opts.newEventId ?? ((at: number) => `${camera.id}-${at.toString(36)}-${randomBytes(5).toString('hex')}`);
  const masks: Point[][] = camera.privacyMasks.map((m) => toPixels(m, 'normalized', frame));
  const zones = bindZones(camera, newEventId, logger);
  if (camera.tracker)
    for (const w of thresholdWarnings({ zones: camera.zones, tracker: camera.tracker })) logger.warn({ field: w.path }, w.message);
  const lifecycles = zones.flatMap((z) => z.rules.map((r) => r.lifecycle));
  let lastAt = -Infinity;
  /** Recently ended events, so a late operator action gets "has ended" rather than "unknown". */
  const ended = new Map<string, string>();
  const remember = (u: ViolationUpdate) => {
    if (u.state !== 'ended' && u.state !== 'cleared') return;
    ended.set(u.eventId, `${u.state} at ${new Date(u.endedAt!).toISOString()}: ${u.reason}`);
    if (ended.size > ENDED_REMEMBERED) ended.delete(ended.keys().next().value!);
  };

  // Privacy masks hide people's homes, not the street: an object standing in one is never analysed.
  const masked = (t: Track) => masks.some((m) => pointInPolygon(bottomCentre(t.box), m));

  const needsForeground = camera.zones.some((z) => z.rules.some((r) => ruleKind(r).usesForeground?.(r) ?? false));

  return {
    needsForeground,
    evaluate(tracks, now, foreground) {
      const at = now.mono;
      checkFrameTime(camera.id, now, lastAt);
      lastAt = at;
      const visible = tracks.filter((t) => t.state === 'tracked' && !masked(t));
      const seen = new Set(visible.map((t) => t.id));
      const out: ViolationUpdate[] = [];
      for (const { zone, rules } of zones) {
        const inside = new Set(visible.filter((t) => zone.contains(t.box)));
        for (const rule of rules) out.push(...judgeRule(rule, { now, timezone: site.timezone, visible, inside, seen, foreground }));
      }
      out.forEach(remember);
      return out;
    },

    applyOperatorAction(eventId, action, at, opts) {
      for (const l of lifecycles) {
        const result = l.apply(eventId, action, at, opts);
        if (result?.ok && result.update) remember(result.update);
        if (result) return result;
      }
      const end = ended.get(eventId);
      if (end) return { ok: false, code: 'ended', error: `event "${eventId}" has already ${end}; nothing changed` };
      return {
        ok: false,
        code: 'unknown_event',
        error: `unknown event id "${eventId}" on camera ${camera.id}: expected the id of an active event; nothing changed`,
      };
    },

    activeEvents() {
      return lifecycles.flatMap((l) => l.active());
    },

    saveOpenEvents() {
      return lifecycles.flatMap((l) => l.save());
    },

    restoreOpenEvents(saved, opts) {
      const homeless: SavedEvent[] = [];
      for (const s of saved) {
        const home = zones
          .find(({ zone }) => zone.id === s.zone)
          ?.rules.find(({ params }) => params.id === s.rule && params.type === s.type);
        if (home) home.lifecycle.restore([s], opts);
        else homeless.push(s);
      }
      return homeless;
    },

    progress: () => progressOf(zones),
  };
}

/** Frames come with finite times, in time order. */
function checkFrameTime(camera: string, now: Instant, lastAt: number): void {
  const at = now.mono;
  if (!Number.isFinite(at) || !Number.isFinite(now.wall))
    throw new Error(`rules (${camera}): expected finite wall and monotonic times, got ${now.wall} and ${at}`);
  if (at < lastAt)
    throw new Error(`rules (${camera}): monotonic time went backwards (${at} after ${lastAt}); expected frames in time order`);
}

/** Each rule's schedule and the violations it follows, for the console. */
function progressOf(zones: readonly { zone: CompiledZone; rules: BoundRule[] }[]): RuleProgress[] {
  return zones.flatMap(({ zone, rules }) =>
    rules.map(({ params, lifecycle }) => ({
      zone: { id: zone.id, ...(zone.name ? { name: zone.name } : {}) },
      rule: { id: params.id, type: params.type },
      dwellSeconds: ruleKind(params).dwellSeconds(params),
      open: lifecycle.isOpen(),
      followed: lifecycle.followed(),
    })),
  );
}

/** Each zone compiled to the analysed frame, with its rules bound to their evaluators and lifecycles. */
function bindZones(camera: RulesCamera, newEventId: (at: number) => string, logger: Logger): { zone: CompiledZone; rules: BoundRule[] }[] {
  return camera.zones.map((z) => {
    const zone = compileZone(z, camera.analysis);
    return {
      zone,
      rules: z.rules.map((params) => {
        const kind = ruleKind(params);
        return {
          params,
          evaluator: kind.create(params, zone),
          lifecycle: createLifecycle({
            camera: camera.id,
            zone: { id: z.id, name: z.name },
            rule: params,
            kind,
            newEventId,
            logger,
            limits: camera.tracker,
          }),
        };
      }),
    };
  });
}

/** One rule on one frame: its candidates (none while out of schedule) through its lifecycle. */
function judgeRule(
  { params, evaluator, lifecycle }: BoundRule,
  f: {
    now: Instant;
    timezone: string;
    visible: readonly Track[];
    inside: ReadonlySet<Track>;
    seen: ReadonlySet<number>;
    foreground: readonly StaticBlob[] | undefined;
  },
): ViolationUpdate[] {
  const at = f.now.mono;
  const open = inSchedule(params.schedule, f.now.wall, f.timezone);
  const eligible = open ? f.visible.filter((t) => t.meanScore >= params.minScore && !lifecycle.isSuppressed(t, at)) : [];
  const candidates = open
    ? evaluator.evaluate({
        at,
        tracks: eligible,
        inZone: eligible.filter((t) => f.inside.has(t)),
        resumes: (t) => lifecycle.resumes(t, f.seen),
        foreground: f.foreground,
      })
    : [];
  return lifecycle.step(candidates, f.now, { open, seen: f.seen });
}
