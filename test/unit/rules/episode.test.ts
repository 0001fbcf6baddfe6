import { describe, expect, it } from 'vitest';
import type { Box } from '../../../agent/src/core/geometry.ts';
import {
  FORMER_IDS_KEPT,
  formerIdsAfter,
  matchSightings,
  newEpisode,
  observeSighting,
  standsAtOrphan,
} from '../../../agent/src/rules/episode.ts';
import type { RuleObject, Sighting } from '../../../agent/src/rules/kind.ts';
import { stillCar } from './sim.ts';

const KERB: Box = { x1: 100, y1: 200, x2: 220, y2: 260 };
const ACROSS: Box = { x1: 400, y1: 200, x2: 520, y2: 260 };

const sighting = (o: RuleObject): Sighting => ({ objects: [o], anchors: [o] });

/** A per-object violation followed since `at`, anchored by `o`. */
function followed(o: RuleObject, at = 0) {
  const ep = newEpisode(undefined, at, at);
  observeSighting(ep, sighting(o), at, true);
  return ep;
}

describe('matching sightings to the violations followed', () => {
  it('a parked car whose track id switched is the same violation when its old id is gone from the frame', () => {
    const ep = followed(stillCar(1, KERB));
    const again = sighting(stillCar(7, { ...KERB, x1: 104 }));
    const m = matchSightings([ep], [again], new Set([7]));
    expect(m.get(again)).toEqual({ ep, sameObject: false });
  });

  it('does not hand a violation to a new id while its own car is still seen', () => {
    const ep = followed(stillCar(1, KERB));
    const neighbour = sighting(stillCar(7, KERB));
    expect(matchSightings([ep], [neighbour], new Set([1, 7])).has(neighbour)).toBe(false);
  });

  it('a car elsewhere in the frame does not take over a violation', () => {
    const ep = followed(stillCar(1, KERB));
    const other = sighting(stillCar(7, ACROSS));
    expect(matchSightings([ep], [other], new Set([7])).has(other)).toBe(false);
  });

  it('a car coming back under the id it had reclaims its violation from the neighbour that took it over by place', () => {
    const ep = followed(stillCar(1, KERB));
    observeSighting(ep, sighting(stillCar(7, KERB)), 1000, false);
    const neighbour = sighting(stillCar(7, KERB));
    const owner = sighting(stillCar(1, KERB));
    const m = matchSightings([ep], [neighbour, owner], new Set([1, 7]));
    expect(m.get(owner)?.ep).toBe(ep);
    expect(m.has(neighbour)).toBe(false);
  });

  it('a track standing where a violation lost its car resumes it; one elsewhere does not', () => {
    const ep = followed(stillCar(1, KERB));
    expect(standsAtOrphan([ep], KERB, new Set([9]))).toBe(true);
    expect(standsAtOrphan([ep], ACROSS, new Set([9]))).toBe(false);
    expect(standsAtOrphan([ep], KERB, new Set([1]))).toBe(false);
  });
});

describe('former ids of a violation', () => {
  it('remembers the id a takeover by place displaced, and forgets it once that id anchors the violation again', () => {
    const ep = followed(stillCar(1, KERB));
    expect([...formerIdsAfter(ep, new Set([7]), false)]).toEqual([1]);
    expect([...formerIdsAfter(ep, new Set([7]), true)]).toEqual([]);
    observeSighting(ep, sighting(stillCar(7, KERB)), 1000, false);
    expect([...formerIdsAfter(ep, new Set([1]), true)]).toEqual([]);
  });

  it(`keeps only the latest ${FORMER_IDS_KEPT} handovers`, () => {
    const ep = followed(stillCar(1, KERB));
    for (let id = 2; id <= FORMER_IDS_KEPT + 3; id++) observeSighting(ep, sighting(stillCar(id, KERB)), id * 1000, false);
    expect([...ep.formerIds]).toEqual(Array.from({ length: FORMER_IDS_KEPT }, (_, i) => i + 3));
  });
});
