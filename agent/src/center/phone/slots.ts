import type { PlanSlotView, PlanView } from '../patrol-plan.ts';
import { distanceM, type Point } from './place.ts';

/* The unit's planned patrol slots as the officer reads them: which are still ahead, when on the city's clock, and where from him. Pure. */

const DAY = 86_400_000;
const COMPASS = ['n', 'ne', 'e', 'se', 's', 'sw', 'w', 'nw'] as const;
export type Compass = (typeof COMPASS)[number];

/**
 * What `GET /api/patrol/slots` answers: his unit's plan, or no slots and why: he is in no unit with an area, or no plan
 * can be made yet (an answer kept on the phone from before `reason` has only the note, of the first kind).
 */
export type SlotsAnswer = Pick<PlanView, 'slots'> &
  Partial<Pick<PlanView, 'offsetMinutes' | 'areas'>> & { note?: string; reason?: 'no-unit' | 'no-plan' };

/** The slots not yet over at `now`, earliest first. */
export function slotsAhead(plan: Pick<PlanView, 'slots'>, now: number): PlanSlotView[] {
  return plan.slots.filter((s) => s.end > now).sort((a, b) => a.start - b.start || b.expected - a.expected);
}

const clock = (at: number, offsetMinutes: number) => new Date(at + offsetMinutes * 60_000).toISOString().slice(11, 16);

/**
 * When a slot is, on the city's clock (the plan's offset, not the phone's zone): its day from today (0 today, 1
 * tomorrow), its hours, and whether it is under way. A block ending at midnight reads "24:00".
 */
export function slotWhen(
  s: Pick<PlanSlotView, 'start' | 'end'>,
  offsetMinutes: number,
  now: number,
): { day: number; from: string; to: string; current: boolean } {
  const shift = offsetMinutes * 60_000;
  const day = Math.floor((s.start + shift) / DAY) - Math.floor((now + shift) / DAY);
  const to = clock(s.end, offsetMinutes);
  return { day, from: clock(s.start, offsetMinutes), to: to === '00:00' ? '24:00' : to, current: s.start <= now && now < s.end };
}

/** The compass direction from `a` to `b` (eight points), on a local flat projection. */
export function compass(a: Point, b: Point): Compass {
  const east = (b.lon - a.lon) * Math.cos((a.lat * Math.PI) / 180);
  const north = b.lat - a.lat;
  const deg = ((Math.atan2(east, north) * 180) / Math.PI + 360) % 360;
  return COMPASS[Math.round(deg / 45) % 8];
}

/** How far and which way the slot's cell lies from the officer, or null without a fix. */
export function slotAway(s: Pick<PlanSlotView, 'centre'>, fix: Point | null): { metres: number; dir: Compass } | null {
  if (!fix) return null;
  const c = { lon: s.centre.lon, lat: s.centre.lat };
  return { metres: distanceM(fix, c), dir: compass(fix, c) };
}

/** Recent rate against the long-run one, in words: rising, falling (by 20 % or more) or steady; null when unknown. */
export function trendWord(trend: number | null): 'rising' | 'falling' | 'steady' | null {
  if (trend === null) return null;
  return trend >= 1.2 ? 'rising' : trend <= 0.8 ? 'falling' : 'steady';
}
