import { pointInPolygon } from '../../core/geometry.ts';
import { distanceMeters } from '../../geo/local-frame.ts';
import type { Area, DutySlot, OrderState, Position, Proposal, Unit, UnitSpec, UnitStatus } from './schema.ts';

/** A unit as the center keeps it: the admin's spec, the officer's duty switch and last position. */
export interface UnitRecord extends UnitSpec {
  id: string;
  /** The officer's own switch (null: never set, the duty hours decide). */
  onDuty: boolean | null;
  position: Position | null;
  updatedAt: number;
}

/** A member of `members` already in another unit than `id` (an officer acts for one unit), in words; null when none. */
export function memberConflict(
  units: readonly Pick<UnitRecord, 'id' | 'members'>[],
  id: string,
  members: readonly string[],
): string | null {
  for (const u of units) {
    const shared = u.id === id ? undefined : members.find((m) => u.members.includes(m));
    if (shared) return `members: ${shared} is already a member of unit ${u.id}`;
  }
  return null;
}

/** Whether the spot lies in one of the area's rings (GeoJSON [lon, lat]). */
export function areaHolds(area: Area, lon: number, lat: number): boolean {
  return area.some((ring) => pointInPolygon([lon, lat], ring));
}

/** Whether `at` falls in a duty slot, in the time zone `offsetMinutes` east of UTC (a shift may pass midnight). */
export function inDutyHours(duty: readonly DutySlot[], at: number, offsetMinutes: number): boolean {
  const local = new Date(at + offsetMinutes * 60_000);
  const day = local.getUTCDay() === 0 ? 7 : local.getUTCDay();
  const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
  const mins = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
  return duty.some((d) => {
    const from = mins(d.from);
    const to = mins(d.to);
    if (from <= to) return d.days.includes(day) && minute >= from && minute < to;
    const yesterday = day === 1 ? 7 : day - 1;
    return (d.days.includes(day) && minute >= from) || (d.days.includes(yesterday) && minute < to);
  });
}

/** A unit's status from its duty and the states of its open orders: on scene, then en route, then busy. */
export function unitStatus(onDuty: boolean, openStates: readonly OrderState[]): UnitStatus {
  if (!onDuty) return 'off_duty';
  if (openStates.includes('on_scene')) return 'on_scene';
  if (openStates.includes('accepted')) return 'en_route';
  if (openStates.some((s) => s === 'dispatched' || s === 'handled')) return 'busy';
  return 'available';
}

/** The wire's unit: the record with its status and load. */
export function presentUnit(u: UnitRecord, openStates: readonly OrderState[], at: number, offsetMinutes: number): Unit {
  const onDuty = u.onDuty ?? inDutyHours(u.duty, at, offsetMinutes);
  const busy = openStates.filter((s) => s !== 'filed' && s !== 'warning');
  return {
    id: u.id,
    name: u.name,
    kind: u.kind,
    members: u.members,
    area: u.area,
    duty: u.duty,
    status: unitStatus(onDuty, busy),
    ...(u.position ? { position: u.position } : {}),
    load: busy.length,
  };
}

/**
 * Units proposed for a spot: those whose area holds it first (whatever their status, so the dispatcher sees why
 * the responsible one cannot go), then the available others by distance from their last position. Pure.
 */
export function proposeUnits(units: readonly Unit[], lon: number, lat: number): Proposal[] {
  const spot = { lon, lat };
  const base = (u: Unit) => ({
    unitId: u.id,
    name: u.name,
    status: u.status,
    load: u.load,
    ...(u.position ? { positionAt: u.position.at, distanceM: Math.round(distanceMeters(u.position, spot)) } : {}),
  });
  const byArea = units.filter((u) => areaHolds(u.area, lon, lat));
  const inArea = new Set(byArea.map((u) => u.id));
  const near = units
    .filter((u) => !inArea.has(u.id) && u.status === 'available' && u.position)
    .map((u) => ({ ...base(u), reason: 'distance' as const }))
    .sort((a, b) => (a.distanceM ?? 0) - (b.distanceM ?? 0));
  const area = byArea.map((u) => ({ ...base(u), reason: 'area' as const })).sort((a, b) => a.load - b.load);
  return [...area, ...near];
}
