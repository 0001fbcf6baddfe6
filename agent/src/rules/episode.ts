import type { Box } from '../core/geometry.ts';
import { iou, unionBox } from '../core/geometry.ts';
import { greedyAssign } from '../track/assign.ts';
import type { Sighting } from './kind.ts';
import type { SavedEvent } from './restore.ts';
import type { EventObject, EventPhase, OperatorRecord } from './types.ts';

/** A per-object violation seen again at this overlap, under a new track id, is the same violation. */
export const SAME_PLACE_IOU = 0.3;
/** Former anchor ids remembered per violation (the latest handovers). */
export const FORMER_IDS_KEPT = 8;

/** The event a violation became once it held for its dwell. Times are monotonic ms. */
export interface ActiveEvent {
  id: string;
  /** The seq the event's next message takes. */
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

/** Where a restored event waits to be seen again after a restart. */
export interface RestoredWait {
  saved: SavedEvent;
  graceUntil: number;
  graceMs: number;
  downtimeMs: number;
}

/** A violation from its first sighting on; it becomes an event once it has held for the dwell time. */
export interface Episode {
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
  restored?: RestoredWait;
}

/** How a sighting was paired with a followed violation: `sameObject` false when taken over by place. */
export interface EpisodeMatch {
  ep: Episode;
  sameObject: boolean;
}

/** A violation first seen now; `observeSighting` fills in its objects. */
export function newEpisode(key: string | undefined, since: number, at: number): Episode {
  return {
    key,
    since,
    lastTrueAt: at,
    anchorIds: new Set(),
    formerIds: new Set(),
    region: { x1: 0, y1: 0, x2: 0, y2: 0 },
    objects: [],
    quality: 0,
    closed: false,
  };
}

/** A per-object violation none of whose anchors is seen in this frame: a track at its place may take it over. */
export function isOrphaned(ep: Episode, seen: ReadonlySet<number>): boolean {
  return ep.key === undefined && ![...ep.anchorIds].some((id) => seen.has(id));
}

/** The track stands where a violation being followed lost sight of its objects. */
export function standsAtOrphan(episodes: readonly Episode[], box: Box, seen: ReadonlySet<number>): boolean {
  return episodes.some((e) => isOrphaned(e, seen) && iou(e.region, box) >= SAME_PLACE_IOU);
}

/**
 * Pairs candidates with episodes: by key or a shared anchor id first, then an object coming back under the id it had
 * before a neighbour took its violation over by place (it reclaims the violation; the neighbour is judged on its own),
 * then by place when the episode's objects are gone (a track-id switch).
 */
export function matchSightings(
  episodes: readonly Episode[],
  candidates: readonly Sighting[],
  seen: ReadonlySet<number>,
): Map<Sighting, EpisodeMatch> {
  const free = new Set(episodes);
  const out = new Map<Sighting, EpisodeMatch>();
  const holder = new Map<Episode, Sighting>();
  const take = (c: Sighting, ep: Episode) => {
    out.set(c, { ep, sameObject: true });
    holder.set(ep, c);
    free.delete(ep);
  };
  for (const c of candidates) {
    const ep = [...free].find((e) => sharesIdentity(e, c));
    if (ep) take(c, ep);
  }
  for (const c of candidates) {
    if (out.has(c) || c.key !== undefined) continue;
    const ep = episodes.find((e) => comesBackUnderFormerId(e, c));
    if (!ep) continue;
    const taker = holder.get(ep);
    if (taker) out.delete(taker);
    take(c, ep);
  }
  const rest = candidates.filter((c) => !out.has(c) && c.key === undefined);
  const orphans = [...free].filter((e) => isOrphaned(e, seen));
  for (const [c, ep] of pairByPlace(rest, orphans)) out.set(c, { ep, sameObject: false });
  return out;
}

/** Same zone-wide key, or (per-object) an anchor id the episode holds now. */
function sharesIdentity(ep: Episode, c: Sighting): boolean {
  return c.key !== undefined ? ep.key === c.key : ep.key === undefined && c.anchors.some((a) => ep.anchorIds.has(a.id));
}

/** An anchor of the sighting anchored the episode before another track took it over by place. */
function comesBackUnderFormerId(ep: Episode, c: Sighting): boolean {
  return ep.key === undefined && c.anchors.some((a) => ep.formerIds.has(a.id)) && !c.anchors.some((a) => ep.anchorIds.has(a.id));
}

/** Candidates paired with orphaned episodes at their place, best overlap first. */
export function pairByPlace(candidates: readonly Sighting[], orphans: readonly Episode[]): [Sighting, Episode][] {
  const regions = candidates.map((c) => unionBox(c.anchors.map((a) => a.box)));
  const pairs: [Sighting, Episode][] = [];
  greedyAssign(candidates.length, orphans.length, (r, o) => iou(regions[r], orphans[o].region), SAME_PLACE_IOU).forEach((o, r) => {
    if (o >= 0) pairs.push([candidates[r], orphans[o]]);
  });
  return pairs;
}

/**
 * The episode takes the sighting's objects as its own. Taken over by place (`sameObject` false), the anchors it
 * loses are remembered as former ids, so their object can reclaim it.
 */
export function observeSighting(ep: Episode, c: Sighting, at: number, sameObject: boolean): void {
  ep.lastTrueAt = at;
  const ids = new Set(c.anchors.map((a) => a.id));
  ep.formerIds = formerIdsAfter(ep, ids, sameObject);
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
}

/** The former ids once `ids` anchor the episode: the latest `FORMER_IDS_KEPT`, none of `ids` among them. */
export function formerIdsAfter(ep: Episode, ids: ReadonlySet<number>, sameObject: boolean): Set<number> {
  const former = new Set(ep.formerIds);
  if (!sameObject) for (const id of ep.anchorIds) if (!ids.has(id)) former.add(id);
  for (const id of ids) former.delete(id);
  return former.size > FORMER_IDS_KEPT ? new Set([...former].slice(-FORMER_IDS_KEPT)) : former;
}
