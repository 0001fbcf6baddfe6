import type { OperatorAction } from '../contract/event-states.ts';
import type { Box } from '../core/geometry.ts';
import type { Logger } from '../core/log.ts';
import type { Instant } from '../core/time.ts';
import { greedyAssign } from '../track/assign.ts';
import { iou, unionBox } from '../core/geometry.ts';
import type { Track } from '../track/types.ts';
import type { RuleConfig } from './config.ts';
import { describeSchedule, formatDuration } from './describe.ts';
import type { Sighting, RuleKind } from './kind.ts';
import type { TrackLimits } from './limits.ts';
import { notSeenReason, restoreVerdict, type SavedEvent } from './restore.ts';
import type {
  EventObject,
  EventPhase,
  EventView,
  FollowedViolation,
  OperatorActionOptions,
  OperatorRecord,
  OperatorResult,
  ViolationUpdate,
} from './types.ts';

/** A per-object violation seen again at this overlap, under a new track id, is the same violation. */
const SAME_PLACE_IOU = 0.3;
/** A box overlapping a suppressed object's box this much is that object. */
const SAME_OBJECT_IOU = 0.5;
/** Former anchor ids remembered per violation (the latest handovers). */
const FORMER_IDS_KEPT = 8;
/** Score gain (mean over the event's objects) that makes a frame better evidence than the last one sent. */
const BETTER_EVIDENCE_MARGIN = 0.02;

interface ActiveEvent {
  id: string;
  seq: number;
  startedAt: number;
  lastEmitAt: number;
  bestQuality: number;
  operator?: OperatorRecord;
  dispatchedAt?: number;
  remindAt?: number;
  /** Two-stage rules only. */
  phase?: EventPhase;
}

/** A violation from its first sighting on; it becomes an event once it has held for the dwell time. */
interface Episode {
  key: string | undefined;
  since: number;
  lastTrueAt: number;
  anchorIds: Set<number>;
  /** Ids that anchored the violation before another track took it over by place: the object may come back under its own id. */
  formerIds: Set<number>;
  region: Box;
  objects: EventObject[];
  quality: number;
  event?: ActiveEvent;
  /** Resolved or marked false positive: followed silently until it lapses, so it cannot start again at once. */
  closed: boolean;
  /** Restored from disk after a restart and not seen again yet: ended as not seen once `graceUntil` passes. */
  restored?: { saved: SavedEvent; graceUntil: number; graceMs: number; downtimeMs: number };
}

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
}

/**
 * The event lifecycle of one rule in one zone: matches each frame's candidates to the violations
 * already followed (by key, by track id, then by place for a track-id switch), starts events after
 * the dwell, sends `updated` at most every `updateIntervalSeconds`, and ends them once the
 * condition has been false for `endAfterSeconds` (`cleared` when they had been dispatched).
 */
export function createLifecycle(spec: LifecycleSpec): Lifecycle {
  const { rule, kind, logger } = spec;
  const dwellMs = kind.dwellSeconds(rule) * 1000;
  const warnSeconds = kind.warnSeconds?.(rule);
  const startMs = warnSeconds === undefined ? dwellMs : warnSeconds * 1000;
  const endAfterMs = rule.endAfterSeconds * 1000;
  const updateMs = rule.updateIntervalSeconds * 1000;
  const reminderMs = rule.reminderSeconds * 1000;
  const description = kind.describe(rule, spec.limits);
  let episodes: Episode[] = [];
  let suppressed: { trackId: number; box: Box; until: number }[] = [];
  let wasOpen: boolean | undefined;
  /**
   * Every time kept here is monotonic; messages carry wall-clock times, read through the latest frame's offset
   * between the two clocks (so after an NTP step they show the corrected time of day).
   */
  let wallOffset = 0;
  const wall = (mono: number) => mono + wallOffset;
  /** Dwell never counts from before the schedule opened; before the first closed period, it is unbounded. */
  let openSince = -Infinity;
  let toRestore: { saved: readonly SavedEvent[]; opts: RestoreOptions } | undefined;

  const view = (ep: Episode, ev: ActiveEvent): EventView => ({
    eventId: ev.id,
    camera: spec.camera,
    zone: spec.zone,
    rule,
    ruleDescription: description,
    startedAt: wall(ev.startedAt),
    observedAt: wall(ep.lastTrueAt),
    dwellSeconds: (ep.lastTrueAt - ev.startedAt) / 1000,
    objects: ep.objects,
    operator: ev.operator,
    dispatchedAt: ev.dispatchedAt === undefined ? undefined : wall(ev.dispatchedAt),
    ...(ev.phase && { phase: ev.phase }),
  });

  const message = (
    ep: Episode,
    ev: ActiveEvent,
    state: ViolationUpdate['state'],
    extra: Partial<ViolationUpdate> = {},
  ): ViolationUpdate => ({
    ...view(ep, ev),
    state,
    seq: ev.seq++,
    betterEvidence: false,
    reminder: false,
    ...extra,
  });

  const start = (ep: Episode, at: number): ViolationUpdate => {
    const ev: ActiveEvent = { id: spec.newEventId(wall(at)), seq: 0, startedAt: ep.since, lastEmitAt: at, bestQuality: ep.quality };
    if (warnSeconds !== undefined) ev.phase = at - ep.since >= dwellMs ? 'violation' : 'warning';
    ep.event = ev;
    logger.debug({ eventId: ev.id, zone: spec.zone.id, rule: rule.id }, 'event started');
    return message(ep, ev, 'started', { betterEvidence: true });
  };

  const progress = (ep: Episode, ev: ActiveEvent, at: number): ViolationUpdate | undefined => {
    if (ev.phase === 'warning' && at - ep.since >= dwellMs) {
      ev.phase = 'violation';
      ev.lastEmitAt = at;
      ev.bestQuality = ep.quality;
      return message(ep, ev, 'updated', {
        betterEvidence: true,
        reason: `violation: ${kind.subject(rule)} has stayed ${formatDuration(dwellMs / 1000)}`,
      });
    }
    const reminder = ev.remindAt !== undefined && at >= ev.remindAt;
    if (!reminder && at - ev.lastEmitAt < updateMs) return undefined;
    const better = ep.quality > ev.bestQuality + BETTER_EVIDENCE_MARGIN;
    if (better) ev.bestQuality = ep.quality;
    ev.lastEmitAt = at;
    if (!reminder) return message(ep, ev, 'updated', { betterEvidence: better });
    while (ev.remindAt! <= at) ev.remindAt! += reminderMs;
    return message(ep, ev, 'updated', {
      betterEvidence: better,
      reminder: true,
      reason: `still present ${formatDuration((at - ev.dispatchedAt!) / 1000)} after dispatch`,
    });
  };

  /** The object of a restored event is seen again: the event goes on, and says so once. */
  const resumed = (ep: Episode, ev: ActiveEvent, at: number, downtimeMs: number): ViolationUpdate => {
    ev.lastEmitAt = at;
    return message(ep, ev, 'updated', { reason: `continued after the agent restarted (down ${Math.round(downtimeMs / 1000)} s)` });
  };

  const endReason = (ep: Episode, facts: FrameFacts): string => {
    if (kind.instant) return kind.lapse(rule);
    if (!facts.open) return `the rule is out of schedule (in force ${describeSchedule(rule.schedule)})`;
    if (![...ep.anchorIds].some((id) => facts.seen.has(id)))
      return `${kind.subject(rule)} left (not seen for ${formatDuration(rule.endAfterSeconds)})`;
    return kind.lapse(rule);
  };

  const finish = (ep: Episode, ev: ActiveEvent, at: number, facts: FrameFacts): ViolationUpdate => {
    const lapsed = endReason(ep, facts);
    const reason = ev.phase === 'warning' ? `warning only (gone before ${formatDuration(dwellMs / 1000)}): ${lapsed}` : lapsed;
    logger.debug({ eventId: ev.id, zone: spec.zone.id, rule: rule.id, reason }, 'event ended');
    return ev.dispatchedAt === undefined
      ? message(ep, ev, 'ended', { endedAt: wall(at), reason })
      : message(ep, ev, 'cleared', {
          endedAt: wall(at),
          reason: `cleared ${formatDuration((at - ev.dispatchedAt) / 1000)} after dispatch: ${reason}`,
        });
  };

  const orphaned = (e: Episode, seen: ReadonlySet<number>) => e.key === undefined && ![...e.anchorIds].some((id) => seen.has(id));

  /**
   * Pairs candidates with episodes: by key or a shared anchor id first, then an object coming back under the id it had
   * before a neighbour took its violation over by place (it reclaims the violation; the neighbour is judged on its own),
   * then by place when the episode's objects are gone (a track-id switch).
   */
  const match = (candidates: readonly Sighting[], seen: ReadonlySet<number>): Map<Sighting, { ep: Episode; sameObject: boolean }> => {
    const free = new Set(episodes);
    const out = new Map<Sighting, { ep: Episode; sameObject: boolean }>();
    const holder = new Map<Episode, Sighting>();
    for (const c of candidates) {
      const ep = [...free].find((e) =>
        c.key !== undefined ? e.key === c.key : e.key === undefined && c.anchors.some((a) => e.anchorIds.has(a.id)),
      );
      if (!ep) continue;
      out.set(c, { ep, sameObject: true });
      holder.set(ep, c);
      free.delete(ep);
    }
    for (const c of candidates) {
      if (out.has(c) || c.key !== undefined) continue;
      const ep = episodes.find(
        (e) => e.key === undefined && c.anchors.some((a) => e.formerIds.has(a.id)) && !c.anchors.some((a) => e.anchorIds.has(a.id)),
      );
      if (!ep) continue;
      const taker = holder.get(ep);
      if (taker) out.delete(taker);
      out.set(c, { ep, sameObject: true });
      holder.set(ep, c);
      free.delete(ep);
    }
    const rest = candidates.filter((c) => !out.has(c) && c.key === undefined);
    const orphans = [...free].filter((e) => orphaned(e, seen));
    const regions = rest.map((c) => unionBox(c.anchors.map((a) => a.box)));
    greedyAssign(rest.length, orphans.length, (r, o) => iou(regions[r], orphans[o].region), SAME_PLACE_IOU).forEach((o, r) => {
      if (o >= 0) out.set(rest[r], { ep: orphans[o], sameObject: false });
    });
    return out;
  };

  const observe = (ep: Episode, c: Sighting, at: number, sameObject: boolean): void => {
    ep.lastTrueAt = at;
    const ids = new Set(c.anchors.map((a) => a.id));
    if (!sameObject) for (const id of ep.anchorIds) if (!ids.has(id)) ep.formerIds.add(id);
    for (const id of ids) ep.formerIds.delete(id);
    if (ep.formerIds.size > FORMER_IDS_KEPT) ep.formerIds = new Set([...ep.formerIds].slice(-FORMER_IDS_KEPT));
    ep.anchorIds = ids;
    ep.region = unionBox(c.anchors.map((a) => a.box));
    ep.objects = c.objects.map((t) => ({
      trackId: t.id,
      label: t.label,
      ...(t.model !== undefined && { model: t.model }),
      score: t.score,
      box: t.box,
      ...(t.foreground && { foreground: t.foreground }),
    }));
    ep.quality = c.anchors.reduce((s, a) => s + a.score, 0) / c.anchors.length;
  };

  /** Saved events become episodes without track ids, so only a track at their place takes them (recovery by place). */
  const takeBack = (saved: readonly SavedEvent[], opts: RestoreOptions, at: number, nowWall: number): ViolationUpdate[] => {
    const out: ViolationUpdate[] = [];
    for (const s of saved) {
      const verdict = restoreVerdict(s, nowWall, opts.maxDowntimeMs);
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
      const ep: Episode = {
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
      if (!verdict.resume) {
        logger.info(
          { eventId: ev.id, zone: spec.zone.id, rule: rule.id, downtimeMs: verdict.downtimeMs },
          'restored event ended: down too long',
        );
        out.push(endUnseen(ep, ev, s, verdict.reason));
        continue;
      }
      ep.restored = { saved: s, graceUntil: at + opts.graceMs, graceMs: opts.graceMs, downtimeMs: verdict.downtimeMs };
      episodes.push(ep);
      logger.debug({ eventId: ev.id, zone: spec.zone.id, rule: rule.id, downtimeMs: verdict.downtimeMs }, 'event restored');
    }
    return out;
  };

  /** Ended when last seen: the agent cannot tell when in its absence the violation stopped. */
  const endUnseen = (ep: Episode, ev: ActiveEvent, s: SavedEvent, reason: string): ViolationUpdate =>
    message(ep, ev, 'ended', {
      startedAt: s.startedAtWall,
      observedAt: s.lastSeenWall,
      endedAt: s.lastSeenWall,
      dwellSeconds: s.dwellMs / 1000,
      reason,
    });

  const saveOf = (ep: Episode, ev: ActiveEvent): SavedEvent => {
    if (ep.restored) return { ...ep.restored.saved, nextSeq: ev.seq, ...(ev.operator && { operator: ev.operator }) };
    return {
      eventId: ev.id,
      nextSeq: ev.seq,
      zone: spec.zone.id,
      rule: rule.id,
      type: rule.type,
      ...(ep.key !== undefined && { key: ep.key }),
      startedAtWall: wall(ev.startedAt),
      lastSeenWall: wall(ep.lastTrueAt),
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
  };

  return {
    step(candidates, now, facts) {
      const at = now.mono;
      wallOffset = now.wall - now.mono;
      if (facts.open && wasOpen === false) openSince = at;
      wasOpen = facts.open;
      const out: ViolationUpdate[] = [];
      if (toRestore) {
        out.push(...takeBack(toRestore.saved, toRestore.opts, at, now.wall));
        toRestore = undefined;
      }
      const matched = match(candidates, facts.seen);
      const touched = new Set<Episode>();
      for (const c of candidates) {
        const since = Math.max(c.since ?? at, openSince);
        const m = matched.get(c);
        let ep = m?.ep;
        if (!ep) {
          ep = {
            key: c.key,
            since,
            lastTrueAt: at,
            anchorIds: new Set(),
            formerIds: new Set(),
            region: { x1: 0, y1: 0, x2: 0, y2: 0 },
            objects: [],
            quality: 0,
            closed: false,
          };
          episodes.push(ep);
        } else if (!ep.event) {
          // The same object settling again after a gap in which it moved restarts the dwell; anything else (a
          // short miss, a track-id switch, a cluster changing members) keeps the earliest time.
          ep.since = m!.sameObject && c.since !== undefined && since > ep.lastTrueAt ? since : Math.min(ep.since, since);
        }
        observe(ep, c, at, m?.sameObject ?? true);
        touched.add(ep);
        const back = ep.restored;
        ep.restored = undefined;
        if (ep.closed) continue;
        const msg =
          back && ep.event
            ? resumed(ep, ep.event, at, back.downtimeMs)
            : ep.event
              ? progress(ep, ep.event, at)
              : at - ep.since >= startMs
                ? start(ep, at)
                : undefined;
        if (msg) out.push(msg);
      }
      episodes = episodes.filter((ep) => {
        if (touched.has(ep)) return true;
        if (ep.restored) {
          if (at < ep.restored.graceUntil) return true;
          const { saved, graceMs, downtimeMs } = ep.restored;
          logger.info({ eventId: saved.eventId, zone: spec.zone.id, rule: rule.id }, 'restored event ended: not seen after the restart');
          if (ep.event && !ep.closed) out.push(endUnseen(ep, ep.event, saved, notSeenReason(saved, graceMs, downtimeMs)));
          return false;
        }
        if (at - ep.lastTrueAt < endAfterMs) return true;
        if (ep.event && !ep.closed) out.push(finish(ep, ep.event, at, facts));
        return false;
      });
      return out;
    },

    resumes(track, seen) {
      return episodes.some((e) => orphaned(e, seen) && iou(e.region, track.box) >= SAME_PLACE_IOU);
    },

    isSuppressed(track, at) {
      if (suppressed.length === 0) return false;
      suppressed = suppressed.filter((s) => s.until > at);
      return suppressed.some((s) => s.trackId === track.id || iou(s.box, track.box) >= SAME_OBJECT_IOU);
    },

    apply(eventId, action, now, opts) {
      const at = now.mono;
      const ep = episodes.find((e) => e.event?.id === eventId);
      const ev = ep?.event;
      if (!ep || !ev) return undefined;
      if (ep.closed)
        return { ok: false, code: 'ended', error: `event "${eventId}" was already closed (${ev.operator?.action}); nothing changed` };
      ev.operator = { action, by: opts.by, at: now.wall, note: opts.note, unit: opts.unit };
      logger.debug({ eventId, action, by: opts.by }, 'operator action');
      switch (action) {
        case 'ack':
          return { ok: true, eventId, action };
        case 'dispatch':
          ev.dispatchedAt = at;
          ev.remindAt = at + reminderMs;
          return { ok: true, eventId, action };
        case 'false_positive':
          for (const o of ep.objects) suppressed.push({ trackId: o.trackId, box: o.box, until: at + rule.suppressSeconds * 1000 });
          ep.closed = true;
          return {
            ok: true,
            eventId,
            action,
            update: message(ep, ev, 'ended', { endedAt: now.wall, reason: `marked as a false positive by ${opts.by}` }),
          };
        case 'resolve':
          ep.closed = true;
          return { ok: true, eventId, action, update: message(ep, ev, 'ended', { endedAt: now.wall, reason: `resolved by ${opts.by}` }) };
      }
    },

    active() {
      return episodes.flatMap((ep) => (ep.event && !ep.closed ? [view(ep, ep.event)] : []));
    },

    followed() {
      return episodes.flatMap((ep) =>
        ep.closed
          ? []
          : [{ objects: ep.objects, since: ep.since, observedAt: ep.lastTrueAt, ...(ep.event ? { eventId: ep.event.id } : {}) }],
      );
    },

    isOpen: () => wasOpen ?? true,

    save() {
      const live = episodes.flatMap((ep) => (ep.event && !ep.closed ? [saveOf(ep, ep.event)] : []));
      return toRestore ? [...toRestore.saved, ...live] : live;
    },

    restore(saved, opts) {
      toRestore = { saved: [...(toRestore?.saved ?? []), ...saved], opts };
    },
  };
}
