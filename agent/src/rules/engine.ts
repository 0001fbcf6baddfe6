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
   * camera's scene model, when `needsForeground`. `weak`: objects of `weakLabels` found by weak evidence (see
   * track/weak-objects.ts).
   */
  evaluate(tracks: readonly Track[], at: Instant, foreground?: readonly StaticBlob[], weak?: readonly Track[]): ViolationUpdate[];
  /** Some rule reads static foreground: the camera must run a scene model and pass its blobs. */
  readonly needsForeground: boolean;
  /** Labels some rule takes from weak evidence: the camera follows them (track/weak-objects.ts); empty when none. */
  readonly weakLabels: readonly string[];
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
  /**
   * The camera's zones, rules or privacy masks changed (a config reload; the tracker goes on). A rule whose zone and
   * settings did not change goes on as it was; a changed rule (same zone id, rule id and type) keeps what it follows,
   * its open events and its suppressions under the new settings; a removed rule's open events end now, with a reason
   * that says so (returned, to be published).
   */
  reconfigure(next: RulesCamera, now: Instant): ViolationUpdate[];
}

export interface CameraRulesOptions {
  logger: Logger;
  /** Event ids (given the wall clock): unique across restarts (time plus randomness) and safe in MQTT topics. */
  newEventId?: (wallAt: number) => string;
}

const ENDED_REMEMBERED = 1000;

interface BoundRule {
  zone: string;
  params: RuleConfig;
  evaluator: RuleEvaluator;
  lifecycle: Lifecycle;
}

interface BoundZone {
  zone: CompiledZone;
  /** The zone's config without its rules, to tell a changed outline from an unchanged one on reload. */
  outline: string;
  rules: BoundRule[];
}

const ruleKey = (zone: string, rule: RuleConfig) => JSON.stringify([zone, rule.id, rule.type]);

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
  const logger = opts.logger.child({ stage: 'rules', camera: camera.id });
  const newEventId = opts.newEventId ?? ((at: number) => `${camera.id}-${at.toString(36)}-${randomBytes(5).toString('hex')}`);
  let bound = bindCamera(camera, [], newEventId, logger);
  let lastAt = -Infinity;
  /** Recently ended events, so a late operator action gets "has ended" rather than "unknown". */
  const ended = new Map<string, string>();
  const remember = (u: ViolationUpdate) => {
    if (u.state !== 'ended' && u.state !== 'cleared') return;
    ended.set(u.eventId, `${u.state} at ${new Date(u.endedAt!).toISOString()}: ${u.reason}`);
    if (ended.size > ENDED_REMEMBERED) ended.delete(ended.keys().next().value!);
  };

  // Privacy masks hide people's homes, not the street: an object standing in one is never analysed.
  const masked = (t: Track) => bound.masks.some((m) => pointInPolygon(bottomCentre(t.box), m));

  return {
    get needsForeground() {
      return bound.needsForeground;
    },
    get weakLabels() {
      return bound.weakLabels;
    },
    evaluate(tracks, now, foreground, weak = []) {
      const at = now.mono;
      checkFrameTime(camera.id, now, lastAt);
      lastAt = at;
      const visible = tracks.filter((t) => t.state === 'tracked' && !masked(t));
      const weakVisible = weak.filter((t) => !masked(t));
      // Weak objects seen now keep their violations from looking abandoned, as tracks do.
      const seen = new Set([...visible, ...weakVisible].map((t) => t.id));
      const out: ViolationUpdate[] = [];
      for (const { zone, rules } of bound.zones) {
        const inside = new Set(visible.filter((t) => zone.contains(t.box)));
        const weakInZone = weakVisible.filter((t) => zone.contains(t.box));
        for (const rule of rules)
          out.push(...judgeRule(rule, { now, timezone: site.timezone, visible, inside, seen, foreground, weakInZone }));
      }
      out.forEach(remember);
      return out;
    },

    applyOperatorAction(eventId, action, at, opts) {
      for (const l of bound.lifecycles) {
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
      return bound.lifecycles.flatMap((l) => l.active());
    },

    saveOpenEvents() {
      return bound.lifecycles.flatMap((l) => l.save());
    },

    restoreOpenEvents: (saved, opts) => restoreInto(bound.zones, saved, opts),

    reconfigure(next, now) {
      bound = bindCamera(next, bound.zones, newEventId, logger);
      const out = bound.left.flatMap((r) => r.lifecycle.retire(now, removedReason(r)));
      out.forEach(remember);
      return out;
    },

    progress: () => progressOf(bound.zones),
  };
}

/** Hands saved events to their rules (same zone id, rule id and type); returns those no rule takes. */
function restoreInto(zones: readonly BoundZone[], saved: readonly SavedEvent[], opts: RestoreOptions): SavedEvent[] {
  const homeless: SavedEvent[] = [];
  for (const s of saved) {
    const home = zones.find(({ zone }) => zone.id === s.zone)?.rules.find(({ params }) => params.id === s.rule && params.type === s.type);
    if (home) home.lifecycle.restore([s], opts);
    else homeless.push(s);
  }
  return homeless;
}

/**
 * The camera's masks in pixels and its zones and rules bound, taking over what `previous` knows (see bindZones);
 * `left`: the rules of `previous` not taken over.
 */
function bindCamera(cam: RulesCamera, previous: readonly BoundZone[], newEventId: (at: number) => string, logger: Logger) {
  const { zones, left } = bindZones(cam, newEventId, logger, previous);
  if (cam.tracker) for (const w of thresholdWarnings({ zones: cam.zones, tracker: cam.tracker })) logger.warn({ field: w.path }, w.message);
  return {
    masks: cam.privacyMasks.map((m): Point[] => toPixels(m, 'normalized', cam.analysis)),
    zones,
    lifecycles: zones.flatMap((z) => z.rules.map((r) => r.lifecycle)),
    needsForeground: cam.zones.some((z) => z.rules.some((r) => ruleKind(r).usesForeground?.(r) ?? false)),
    weakLabels: [...new Set(cam.zones.flatMap((z) => z.rules.flatMap((r) => ruleKind(r).weakLabels?.(r) ?? [])))],
    left,
  };
}

/** Why a removed rule's events ended. */
function removedReason({ zone, params }: BoundRule): string {
  return `config_changed: rule "${params.id}" (${params.type}) of zone "${zone}" was removed from the config`;
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

/**
 * Each zone compiled to the analysed frame, with its rules bound to their evaluators and lifecycles. A rule of
 * `previous` with the same zone id, rule id and type is taken over: as it was when neither its zone's outline nor its
 * settings changed, else with its lifecycle carried to the new settings. `left`: the rules of `previous` not taken over.
 */
function bindZones(
  camera: RulesCamera,
  newEventId: (at: number) => string,
  logger: Logger,
  previous: readonly BoundZone[],
): { zones: BoundZone[]; left: BoundRule[] } {
  const old = new Map(
    previous.flatMap((z) => z.rules.map((r) => [ruleKey(z.zone.id, r.params), { outline: z.outline, rule: r }] as const)),
  );
  const zones = camera.zones.map((z) => {
    const zone = compileZone(z, camera.analysis);
    const outline = JSON.stringify({ ...z, rules: [] });
    const rules = z.rules.map((params): BoundRule => {
      const key = ruleKey(z.id, params);
      const before = old.get(key);
      old.delete(key);
      if (before && before.outline === outline && JSON.stringify(before.rule.params) === JSON.stringify(params)) return before.rule;
      const kind = ruleKind(params);
      const spec = { camera: camera.id, zone: { id: z.id, name: z.name }, rule: params, kind, newEventId, logger, limits: camera.tracker };
      return {
        zone: z.id,
        params,
        evaluator: kind.create(params, zone),
        lifecycle: before ? before.rule.lifecycle.carryTo(spec) : createLifecycle(spec),
      };
    });
    return { zone, outline, rules };
  });
  return { zones, left: [...old.values()].map((o) => o.rule) };
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
    weakInZone: readonly Track[];
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
        weakInZone: f.weakInZone.filter((t) => !lifecycle.isSuppressed(t, at)),
      })
    : [];
  return lifecycle.step(candidates, f.now, { open, seen: f.seen });
}
