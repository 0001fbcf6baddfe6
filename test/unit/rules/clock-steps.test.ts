import { describe, expect, it } from 'vitest';
import { box, det } from '../track/scene.ts';
import { camera, Sim, T0 } from './sim.ts';

/** A box without a real-time clock: NTP steps the wall clock while the agent runs. */
const kerb = camera([
  {
    id: 'kerb',
    polygon: [
      [0, 0.5],
      [0.6, 0.5],
      [0.6, 1],
      [0, 1],
    ],
    rules: [{ id: 'no-parking', type: 'illegal_parking', dwellSeconds: 60, endAfterSeconds: 15 }],
  },
]);
const parked = () => [det('car', box(100, 220, 120, 60))];
const HOUR = 3_600_000;

describe('dwell on the monotonic clock, timestamps on the wall clock', () => {
  it('an NTP step backwards neither throws nor delays the event; its times read the corrected clock', () => {
    const sim = new Sim(kerb);
    sim.run(30, parked);
    sim.stepWallClock(-HOUR);
    expect(() => sim.run(40, parked)).not.toThrow();
    const started = sim.updates.filter((u) => u.state === 'started');
    expect(started).toHaveLength(1);
    // The car has stood 60 s (30 before the step, 30 after): the event starts then, not an hour later.
    const s = started[0];
    expect(s.observedAt - s.startedAt).toBeGreaterThanOrEqual(60_000);
    expect(s.observedAt - s.startedAt).toBeLessThan(62_000);
    expect(s.startedAt - (T0 - HOUR)).toBeLessThan(1_000);
    expect(sim.states()).not.toContain('ended');
  });

  it('an NTP step forwards does not make the parked car exceed its dwell at once', () => {
    const sim = new Sim(kerb);
    sim.run(10, parked);
    sim.stepWallClock(HOUR);
    const soon = sim.run(40, parked);
    expect(soon.map((u) => u.state)).toEqual([]);
    const later = sim.run(15, parked);
    expect(later.map((u) => u.state)).toEqual(['started']);
    expect(later[0].observedAt - later[0].startedAt).toBeGreaterThanOrEqual(60_000);
    expect(later[0].startedAt - (T0 + HOUR)).toBeLessThan(1_000);
  });
});
