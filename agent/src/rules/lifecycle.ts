import type { OperatorAction } from '../contract/event-states.ts';
import type { Box } from '../core/geometry.ts';
import { iou } from '../core/geometry.ts';
import type { Logger } from '../core/log.ts';
import type { Instant } from '../core/time.ts';
import type { Track } from '../track/types.ts';
import type { RuleConfig } from './config.ts';
import { describeSchedule, formatDuration } from './describe.ts';
import {
  type ActiveEvent,
  type Episode,
  type EpisodeMatch,
  matchSightings,
  newEpisode,
  observeSighting,
  standsAtOrphan,
} from './episode.ts';
import type { RuleKind, Sighting } from './kind.ts';
import type { TrackLimits } from './limits.ts';
import { notSeenReason, type RestoreVerdict, restoreVerdict, type SavedEvent } from './restore.ts';
import type { EventObject, EventView, FollowedViolation, OperatorActionOptions, OperatorResult, ViolationUpdate } from './types.ts';

/** A box overlapping a suppressed object's box this much is that object. */
const SAME_OBJECT_IOU = 0.5;
/** Score gain (mean over the event's objects) that makes a frame better evidence than the last one sent. */
const BETTER_EVIDENCE_MARGIN = 0.02;

/** How saved events are taken back after a restart (monotonic ms). */
export interface RestoreOptions {
  graceMs: number;
  maxDowntimeMs: number;
}

export interface LifecycleSpec {
  camera: string;
  zone: { id: string; name?: string };
  rule: RuleConfig;
  kind: RuleKind<RuleConfig>;
  newEventId(wallAt: number): string;
  logger: Logger;
  limits?: TrackLimits;
}

/** What the engine knows about the frame beyond the rule's candidates. */
export interface FrameFacts {
  /** The rule's schedule is open now. */
  open: boolean;
  /** Ids of the tracks detected (and not masked) in this frame. */
  seen: ReadonlySet<number>;
}

export interface Lifecycle {
  step(candidates: readonly Sighting[], now: Instant, facts: FrameFacts): ViolationUpdate[];
  /** Objects of an event marked false positive, ignored by this rule for `suppressSeconds` (`at`: monotonic). */
  isSuppressed(track: Track, at: number): boolean;
  /** The track overlaps a followed violation whose own objects are not seen in this frame. */
  resumes(track: Track, seen: ReadonlySet<number>): boolean;
  /** `undefined` when the event is not one of this rule's. */
  apply(eventId: string, action: OperatorAction, now: Instant, opts: OperatorActionOptions): OperatorResult | undefined;
  active(): EventView[];
  /** Violations followed now, started or not (closed ones excluded). */
  followed(): FollowedViolation[];
  /** The schedule was open at the latest frame. */
  isOpen(): boolean;
  /** The open events as they are to be written to disk (those still waiting to be restored included). */
  save(): SavedEvent[];
  /**
   * Events saved by the previous run: taken over at the next frame. Each waits `graceMs` for an object at its place
   * (any track: ids start again with the process) and continues with its id and next seq, or ends as not seen.
   */
  restore(saved: readonly SavedEvent[], opts: RestoreOptions): void;
  /**
   * The same rule after a config change: a lifecycle with the new settings that keeps what this one knows — the
   * violations it follows, their open events (ids, seq, dispatch) and its false-positive suppressions.
   */
  carryTo(spec: LifecycleSpec): Lifecycle;
  /** The rule is gone from the config: its open events end now, with `reason`. */
  retire(now: Instant, reason: string): ViolationUpdate[];
}

/**
 * The event lifecycle of one rule in one zone: matches each frame's candidates to the violations
 * already followed (by key, by track id, then by place for a track-id switch), starts events after
 * the dwell, sends `updated` at most every `updateIntervalSeconds`, and ends them once the
 * condition has been false for `endAfterSeconds` (`cleared` when they had been dispatched).
 * A thin object over a `LifecycleState` and the functions below.
 */
export function createLifecycle(spec: LifecycleSpec, carried?: LifecycleState): Lifecycle {
  const state = carried ?? initialLifecycle(spec);
  return {
    step: (candidates, now, facts) => stepLifecycle(state, candidates, now, facts),
    resumes: (track, seen) => standsAtOrphan(state.episodes, track.box, seen),
    isSuppressed(track, at) {
      if (state.suppressed.length === 0) return false;
      state.suppressed = state.suppressed.filter((s) => s.until > at);
      return isSuppressedBy(state.suppressed, track, at);
    },
    apply: (eventId, action, now, opts) => applyOperatorAction(state, eventId, action, now, opts),
    active: () => activeEvents(state),
    followed: () => followedViolations(state),
    isOpen: () => state.wasOpen ?? true,
    save: () => savedEvents(state),
    restore(saved, opts) {
      state.toRestore = { saved: [...(state.toRestore?.saved ?? []), ...saved], opts };
    },
    carryTo: (next) => createLifecycle(next, { ...state, settings: lifecycleSettings(next) }),
    retire: (now, reason) => retireEvents(state, now, reason),
  };
}

/** What a lifecycle is told once, with the durations it judges by (ms). */
export interface LifecycleSettings extends Omit<LifecycleSpec, 'limits'> {
  /** The rule's plain-language statement, for every message. */
  description: string;
  dwellMs: number;
  /** Two-stage rules: the warning starts this early (s). */
  warnSeconds: number | undefined;
  /** An event starts once the condition has held this long (the warning's time on two-stage rules). */
  startMs: number;
  endAfterMs: number;
  updateMs: number;
  reminderMs: number;
}

/** Objects of an event marked false positive: a track with this id or at this place is ignored until `until`. */
export interface Suppression {
  trackId: number;
  box: Box;
  until: number;
}

/** Everything one lifecycle remembers between frames. Every time kept here is monotonic. */
export interface LifecycleState {
  readonly settings: LifecycleSettings;
  episodes: Episode[];
  suppressed: Suppression[];
  /** The schedule at the latest frame; `undefined` before the first. */
  wasOpen: boolean | undefined;
  /**
   * Messages carry wall-clock times, read through the latest frame's offset between the two clocks (so after an
   * NTP step they show the corrected time of day).
   */
  wallOffset: number;
  /** Dwell never counts from before the schedule opened; before the first closed period, it is unbounded. */
  openSince: number;
  /** Events saved by the previous run, taken over at the next frame. */
  toRestore: { saved: readonly SavedEvent[]; opts: RestoreOptions } | undefined;
}

export function lifecycleSettings(spec: LifecycleSpec): LifecycleSettings {
  const { rule, kind } = spec;
  const dwellMs = kind.dwellSeconds(rule) * 1000;
  const warnSeconds = kind.warnSeconds?.(rule);
  return {
    camera: spec.camera,
    zone: spec.zone,
    rule,
    kind,
    newEventId: spec.newEventId,
    logger: spec.logger,
    description: kind.describe(rule, spec.limits),
    dwellMs,
    warnSeconds,
    startMs: warnSeconds === undefined ? dwellMs : warnSeconds * 1000,
    endAfterMs: rule.endAfterSeconds * 1000,
    updateMs: rule.updateIntervalSeconds * 1000,
    reminderMs: rule.reminderSeconds * 1000,
  };
}

export function initialLifecycle(spec: LifecycleSpec): LifecycleState {
  return {
    settings: lifecycleSettings(spec),
    episodes: [],
    suppressed: [],
    wasOpen: undefined,
    wallOffset: 0,
    openSince: -Infinity,
    toRestore: undefined,
  };
}

/** A monotonic time as the wall clock read it at the latest frame. */
export function wallTime(state: LifecycleState, mono: number): number {
  return mono + state.wallOffset;
}

/** One frame: saved events taken back, candidates matched, events started, updated and ended. */
export function stepLifecycle(state: LifecycleState, candidates: readonly Sighting[], now: Instant, facts: FrameFacts): ViolationUpdate[] {
  const at = now.mono;
  advanceClocks(state, now, facts.open);
  const out: ViolationUpdate[] = [];
  if (state.toRestore) {
    out.push(...takeBack(state, state.toRestore.saved, state.toRestore.opts, at, now.wall));
    state.toRestore = undefined;
  }
  const matched = matchSightings(state.episodes, candidates, facts.seen);
  const touched = new Set<Episode>();
  for (const c of candidates) {
    const { ep, msg } = followSighting(state, c, matched.get(c), at);
    touched.add(ep);
    if (msg) out.push(msg);
  }
  state.episodes = state.episodes.filter((ep) => touched.has(ep) || !expire(state, ep, at, facts, out));
  return out;
}

/** The clocks' offset and the schedule's opening, read from this frame. */
export function advanceClocks(state: LifecycleState, now: Instant, open: boolean): void {
  state.wallOffset = now.wall - now.mono;
  if (open && state.wasOpen === false) state.openSince = now.mono;
  state.wasOpen = open;
}

/** The sighting joins its episode (or starts one); returns the message this frame sends for it, if any. */
function followSighting(
  state: LifecycleState,
  c: Sighting,
  m: EpisodeMatch | undefined,
  at: number,
): { ep: Episode; msg: ViolationUpdate | undefined } {
  const since = Math.max(c.since ?? at, state.openSince);
  let ep = m?.ep;
  if (!ep) {
    ep = newEpisode(c.key, since, at);
    state.episodes.push(ep);
  } else if (!ep.event) {
    ep.since = dwellSince(ep, since, c.since !== undefined && m!.sameObject);
  }
  observeSighting(ep, c, at, m?.sameObject ?? true);
  const back = ep.restored;
  ep.restored = undefined;
  if (ep.closed) return { ep, msg: undefined };
  if (back && ep.event) return { ep, msg: resumeEvent(state, ep, ep.event, at, back.downtimeMs) };
  if (ep.event) return { ep, msg: progressEvent(state, ep, ep.event, at) };
  return { ep, msg: at - ep.since >= state.settings.startMs ? startEvent(state, ep, at) : undefined };
}

/**
 * When the dwell of a violation not yet an event counts from. The same object settling again after a gap in which it
 * moved (`settledAgain`: the rule gives its rest time) restarts the dwell; anything else (a short miss, a track-id
 * switch, a cluster changing members) keeps the earliest time.
 */
export function dwellSince(ep: Episode, since: number, settledAgain: boolean): number {
  return settledAgain && since > ep.lastTrueAt ? since : Math.min(ep.since, since);
}

/** What becomes of an episode not seen in this frame. */
export type Expiry = 'kept' | 'not_seen_after_restart' | 'lapsed';

/**
 * A restored episode waits out its grace and then ends as not seen; any other ends once its condition has been
 * false for `endAfterMs`.
 */
export function expiryOf(settings: LifecycleSettings, ep: Episode, at: number): Expiry {
  if (ep.restored) return at < ep.restored.graceUntil ? 'kept' : 'not_seen_after_restart';
  return at - ep.lastTrueAt < settings.endAfterMs ? 'kept' : 'lapsed';
}

/** An episode not seen in this frame: true when it is dropped (its event's last message pushed onto `out`). */
function expire(state: LifecycleState, ep: Episode, at: number, facts: FrameFacts, out: ViolationUpdate[]): boolean {
  const expiry = expiryOf(state.settings, ep, at);
  if (expiry === 'kept') return false;
  if (expiry === 'not_seen_after_restart') {
    const { saved, graceMs, downtimeMs } = ep.restored!;
    const { logger, zone, rule } = state.settings;
    logger.info({ eventId: saved.eventId, zone: zone.id, rule: rule.id }, 'restored event ended: not seen after the restart');
    if (ep.event && !ep.closed) out.push(endUnseen(state, ep, ep.event, saved, notSeenReason(saved, graceMs, downtimeMs)));
    return true;
  }
  if (ep.event && !ep.closed) out.push(finishEvent(state, ep, ep.event, at, facts));
  return true;
}

/** The event as the operator sees it. */
export function eventView(state: LifecycleState, ep: Episode, ev: ActiveEvent): EventView {
  const { settings } = state;
  return {
    eventId: ev.id,
    camera: settings.camera,
    zone: settings.zone,
    rule: settings.rule,
    ruleDescription: settings.description,
    startedAt: wallTime(state, ev.startedAt),
    observedAt: wallTime(state, ep.lastTrueAt),
    dwellSeconds: (ep.lastTrueAt - ev.startedAt) / 1000,
    objects: ep.objects,
    operator: ev.operator,
    dispatchedAt: ev.dispatchedAt === undefined ? undefined : wallTime(state, ev.dispatchedAt),
    ...(ev.phase && { phase: ev.phase }),
  };
}

/** The event's next message: it takes the event's next seq. */
function nextMessage(
  state: LifecycleState,
  ep: Episode,
  ev: ActiveEvent,
  kind: ViolationUpdate['state'],
  extra: Partial<ViolationUpdate> = {},
): ViolationUpdate {
  return { ...eventView(state, ep, ev), state: kind, seq: ev.seq++, betterEvidence: false, reminder: false, ...extra };
}

/** The violation has held long enough: it becomes an event (in phase `warning` on a two-stage rule still short of its dwell). */
export function startEvent(state: LifecycleState, ep: Episode, at: number): ViolationUpdate {
  const { settings } = state;
  const ev: ActiveEvent = {
    id: settings.newEventId(wallTime(state, at)),
    seq: 0,
    startedAt: ep.since,
    lastEmitAt: at,
    bestQuality: ep.quality,
  };
  if (settings.warnSeconds !== undefined) ev.phase = at - ep.since >= settings.dwellMs ? 'violation' : 'warning';
  ep.event = ev;
  settings.logger.debug({ eventId: ev.id, zone: settings.zone.id, rule: settings.rule.id }, 'event started');
  return nextMessage(state, ep, ev, 'started', { betterEvidence: true });
}

/**
 * An event seen again: a warning turning into a violation, a reminder due after dispatch, or the periodic update
 * (with `betterEvidence` when the objects score clearly higher than in the evidence sent); otherwise nothing.
 */
export function progressEvent(state: LifecycleState, ep: Episode, ev: ActiveEvent, at: number): ViolationUpdate | undefined {
  const { dwellMs, updateMs, kind, rule } = state.settings;
  if (ev.phase === 'warning' && at - ep.since >= dwellMs) {
    ev.phase = 'violation';
    ev.lastEmitAt = at;
    ev.bestQuality = ep.quality;
    return nextMessage(state, ep, ev, 'updated', {
      betterEvidence: true,
      reason: `violation: ${kind.subject(rule)} has stayed ${formatDuration(dwellMs / 1000)}`,
    });
  }
  const reminder = ev.remindAt !== undefined && at >= ev.remindAt;
  if (!reminder && at - ev.lastEmitAt < updateMs) return undefined;
  const better = ep.quality > ev.bestQuality + BETTER_EVIDENCE_MARGIN;
  if (better) ev.bestQuality = ep.quality;
  ev.lastEmitAt = at;
  if (!reminder) return nextMessage(state, ep, ev, 'updated', { betterEvidence: better });
  ev.remindAt = nextReminder(ev.remindAt!, at, state.settings.reminderMs);
  return nextMessage(state, ep, ev, 'updated', {
    betterEvidence: better,
    reminder: true,
    reason: `still present ${formatDuration((at - ev.dispatchedAt!) / 1000)} after dispatch`,
  });
}

/** The first reminder time after `at`, counting from `due` in steps of `everyMs` (reminders missed while unseen are not sent late). */
export function nextReminder(due: number, at: number, everyMs: number): number {
  let next = due;
  while (next <= at) next += everyMs;
  return next;
}

/** The object of a restored event is seen again: the event goes on, and says so once. */
function resumeEvent(state: LifecycleState, ep: Episode, ev: ActiveEvent, at: number, downtimeMs: number): ViolationUpdate {
  ev.lastEmitAt = at;
  return nextMessage(state, ep, ev, 'updated', {
    reason: `continued after the agent restarted (down ${Math.round(downtimeMs / 1000)} s)`,
  });
}

/** Why the condition stopped, in the operator's words. */
export function endReason(settings: LifecycleSettings, ep: Episode, facts: FrameFacts): string {
  const { kind, rule } = settings;
  if (kind.instant) return kind.lapse(rule);
  if (!facts.open) return `the rule is out of schedule (in force ${describeSchedule(rule.schedule)})`;
  if (![...ep.anchorIds].some((id) => facts.seen.has(id)))
    return `${kind.subject(rule)} left (not seen for ${formatDuration(rule.endAfterSeconds)})`;
  return kind.lapse(rule);
}

/** The event's last message: `ended`, or `cleared` once it had been dispatched. */
function finishEvent(state: LifecycleState, ep: Episode, ev: ActiveEvent, at: number, facts: FrameFacts): ViolationUpdate {
  const { settings } = state;
  const lapsed = endReason(settings, ep, facts);
  const reason = ev.phase === 'warning' ? `warning only (gone before ${formatDuration(settings.dwellMs / 1000)}): ${lapsed}` : lapsed;
  settings.logger.debug({ eventId: ev.id, zone: settings.zone.id, rule: settings.rule.id, reason }, 'event ended');
  return ev.dispatchedAt === undefined
    ? nextMessage(state, ep, ev, 'ended', { endedAt: wallTime(state, at), reason })
    : nextMessage(state, ep, ev, 'cleared', {
        endedAt: wallTime(state, at),
        reason: `cleared ${formatDuration((at - ev.dispatchedAt) / 1000)} after dispatch: ${reason}`,
      });
}

/** A track with a suppressed object's id, or overlapping its box, is that object while the suppression lasts. */
export function isSuppressedBy(suppressed: readonly Suppression[], track: Track, at: number): boolean {
  return suppressed.some((s) => s.until > at && (s.trackId === track.id || iou(s.box, track.box) >= SAME_OBJECT_IOU));
}

/** The objects of an event marked false positive, ignored for `suppressMs` from `at`. */
export function suppressionsOf(objects: readonly EventObject[], at: number, suppressMs: number): Suppression[] {
  return objects.map((o) => ({ trackId: o.trackId, box: o.box, until: at + suppressMs }));
}

/** An operator's action on one of this lifecycle's events; `undefined` when the event is not one of its own. */
export function applyOperatorAction(
  state: LifecycleState,
  eventId: string,
  action: OperatorAction,
  now: Instant,
  opts: OperatorActionOptions,
): OperatorResult | undefined {
  const at = now.mono;
  const ep = state.episodes.find((e) => e.event?.id === eventId);
  const ev = ep?.event;
  if (!ep || !ev) return undefined;
  if (ep.closed)
    return { ok: false, code: 'ended', error: `event "${eventId}" was already closed (${ev.operator?.action}); nothing changed` };
  ev.operator = { action, by: opts.by, at: now.wall, note: opts.note, unit: opts.unit };
  state.settings.logger.debug({ eventId, action, by: opts.by }, 'operator action');
  switch (action) {
    case 'ack':
      return { ok: true, eventId, action };
    case 'dispatch':
      ev.dispatchedAt = at;
      ev.remindAt = at + state.settings.reminderMs;
      return { ok: true, eventId, action };
    case 'false_positive': {
      state.suppressed.push(...suppressionsOf(ep.objects, at, state.settings.rule.suppressSeconds * 1000));
      ep.closed = true;
      const reason = `marked as a false positive by ${opts.by}`;
      return { ok: true, eventId, action, update: nextMessage(state, ep, ev, 'ended', { endedAt: now.wall, reason }) };
    }
    case 'resolve':
      ep.closed = true;
      return {
        ok: true,
        eventId,
        action,
        update: nextMessage(state, ep, ev, 'ended', { endedAt: now.wall, reason: `resolved by ${opts.by}` }),
      };
  }
}

/** Every open event ends now with `reason` (its rule left the config). */
export function retireEvents(state: LifecycleState, now: Instant, reason: string): ViolationUpdate[] {
  // Events of the previous run not yet taken back end too: nobody else will.
  const out = state.toRestore ? takeBack(state, state.toRestore.saved, state.toRestore.opts, now.mono, now.wall) : [];
  state.toRestore = undefined;
  for (const ep of state.episodes) {
    if (!ep.event || ep.closed) continue;
    ep.closed = true;
    out.push(nextMessage(state, ep, ep.event, 'ended', { endedAt: now.wall, reason }));
  }
  state.episodes = [];
  return out;
}

/** The open events. */
export function activeEvents(state: LifecycleState): EventView[] {
  return state.episodes.flatMap((ep) => (ep.event && !ep.closed ? [eventView(state, ep, ep.event)] : []));
}

/** Violations followed now, started or not (closed ones excluded). */
export function followedViolations(state: LifecycleState): FollowedViolation[] {
  return state.episodes.flatMap((ep) =>
    ep.closed ? [] : [{ objects: ep.objects, since: ep.since, observedAt: ep.lastTrueAt, ...(ep.event ? { eventId: ep.event.id } : {}) }],
  );
}

/** The open events as they are to be written to disk (those still waiting to be restored included). */
export function savedEvents(state: LifecycleState): SavedEvent[] {
  const live = state.episodes.flatMap((ep) => (ep.event && !ep.closed ? [savedEventOf(state, ep, ep.event)] : []));
  return state.toRestore ? [...state.toRestore.saved, ...live] : live;
}

/** One open event as written to disk; a restored event not seen again keeps what was saved, with its next seq. */
export function savedEventOf(state: LifecycleState, ep: Episode, ev: ActiveEvent): SavedEvent {
  if (ep.restored) return { ...ep.restored.saved, nextSeq: ev.seq, ...(ev.operator && { operator: ev.operator }) };
  const { zone, rule } = state.settings;
  return {
    eventId: ev.id,
    nextSeq: ev.seq,
    zone: zone.id,
    rule: rule.id,
    type: rule.type,
    ...(ep.key !== undefined && { key: ep.key }),
    startedAtWall: wallTime(state, ev.startedAt),
    lastSeenWall: wallTime(state, ep.lastTrueAt),
    dwellMs: Math.max(0, ep.lastTrueAt - ev.startedAt),
    ...(ev.phase && { phase: ev.phase }),
    region: ep.region,
    objects: ep.objects.map(({ foreground, ...o }) => ({
      ...o,
      ...(foreground && { foreground: { area: foreground.area, overlaps: [...foreground.overlaps] } }),
    })),
    bestQuality: ev.bestQuality,
    ...(ev.operator && { operator: ev.operator }),
    ...(ev.dispatchedAt !== undefined && { dispatchedAgoMs: Math.max(0, ep.lastTrueAt - ev.dispatchedAt) }),
    ...(ev.remindAt !== undefined && { remindInMs: ev.remindAt - ep.lastTrueAt }),
  };
}

/**
 * Saved events become episodes without track ids, so only a track at their place takes them (recovery by place);
 * those down too long end at once.
 */
function takeBack(
  state: LifecycleState,
  saved: readonly SavedEvent[],
  opts: RestoreOptions,
  at: number,
  nowWall: number,
): ViolationUpdate[] {
  const out: ViolationUpdate[] = [];
  const { logger, zone, rule } = state.settings;
  for (const s of saved) {
    const verdict = restoreVerdict(s, nowWall, opts.maxDowntimeMs);
    const ep = restoredEpisode(s, verdict, at);
    const ev = ep.event!;
    const log = { eventId: ev.id, zone: zone.id, rule: rule.id, downtimeMs: verdict.downtimeMs };
    if (!verdict.resume) {
      logger.info(log, 'restored event ended: down too long');
      out.push(endUnseen(state, ep, ev, s, verdict.reason));
      continue;
    }
    ep.restored = { saved: s, graceUntil: at + opts.graceMs, graceMs: opts.graceMs, downtimeMs: verdict.downtimeMs };
    state.episodes.push(ep);
    logger.debug(log, 'event restored');
  }
  return out;
}

/** A saved event as an episode at its last place, its times carried over to this run's monotonic clock at `at`. */
export function restoredEpisode(s: SavedEvent, verdict: RestoreVerdict, at: number): Episode {
  const since = at - (verdict.resume ? verdict.dwellMs : s.dwellMs);
  const sighted = at - verdict.downtimeMs;
  const ev: ActiveEvent = {
    id: s.eventId,
    seq: s.nextSeq,
    startedAt: since,
    lastEmitAt: at,
    bestQuality: s.bestQuality,
    ...(s.operator && { operator: s.operator }),
    ...(s.dispatchedAgoMs !== undefined && { dispatchedAt: sighted - s.dispatchedAgoMs }),
    ...(s.remindInMs !== undefined && { remindAt: at + Math.max(0, s.remindInMs) }),
    ...(s.phase && { phase: s.phase }),
  };
  return {
    key: s.key,
    since,
    lastTrueAt: at,
    anchorIds: new Set(),
    formerIds: new Set(),
    region: s.region,
    objects: s.objects,
    quality: s.bestQuality,
    event: ev,
    closed: false,
  };
}

/** Ended when last seen: the agent cannot tell when in its absence the violation stopped. */
function endUnseen(state: LifecycleState, ep: Episode, ev: ActiveEvent, s: SavedEvent, reason: string): ViolationUpdate {
  return nextMessage(state, ep, ev, 'ended', {
    startedAt: s.startedAtWall,
    observedAt: s.lastSeenWall,
    endedAt: s.lastSeenWall,
    dwellSeconds: s.dwellMs / 1000,
    reason,
  });
}
