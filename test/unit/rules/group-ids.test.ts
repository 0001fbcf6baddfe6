import { describe, expect, it } from 'vitest';
import { det, jitter, seeded } from '../track/scene.ts';
import { camera, Sim, T0 } from './sim.ts';

/**
 * A group standing together, as on street footage: the detector's boxes of neighbours overlap, and when one of them
 * is hidden for a moment the box of the one beside them is where they were. The two boxes are the real model's
 * (picodet on samples/street-sf.jpg, 1330×1330: two people side by side on the pavement, IoU 0.40).
 */
const square = {
  id: 'square',
  polygon: [
    [0, 0],
    [1, 0],
    [1, 1],
    [0, 1],
  ],
};
const loitering = () =>
  camera(
    [{ ...square, rules: [{ id: 'lingering', type: 'loitering', dwellSeconds: 30, endAfterSeconds: 10, updateIntervalSeconds: 600 }] }],
    {
      analysis: { fps: 5, width: 1330, height: 1330 },
    },
  );
const a = { x1: 331, y1: 560, x2: 370, y2: 689 };
const c = { x1: 346, y1: 562, x2: 388, y2: 694 };

describe('one violation stays one event while track ids wander in a group', () => {
  it('a person briefly hidden by a neighbour keeps their event; the neighbour starts their own dwell', () => {
    const sim = new Sim(loitering());
    const rnd = seeded(11);
    // A stands alone; the event starts after 30 s.
    sim.run(40, () => [det('person', jitter(a, 0.02, rnd))]);
    // C joins and stands beside A.
    sim.run(4, () => [det('person', jitter(a, 0.02, rnd)), det('person', jitter(c, 0.02, rnd))]);
    // A is hidden behind C for 1.6 s (the tracker keeps A's id through the miss), then both stand on.
    sim.run(1.6, () => [det('person', jitter(c, 0.02, rnd))]);
    const back = sim.now;
    sim.run(60, () => [det('person', jitter(a, 0.02, rnd)), det('person', jitter(c, 0.02, rnd))]);

    const started = sim.updates.filter((u) => u.state === 'started');
    const first = started[0];
    expect((first.startedAt - T0) / 1000).toBeLessThan(2);
    // Two people, two events: A's (from the start) and C's, whose dwell counts from C's own arrival at 40 s.
    expect(started).toHaveLength(2);
    const second = started[1];
    expect((second.startedAt - T0) / 1000).toBeGreaterThanOrEqual(40);
    expect(second.observedAt - second.startedAt).toBeGreaterThanOrEqual(30_000);
    expect(second.observedAt).toBeGreaterThan(back);
    // A's event follows A again (not C) once A is back.
    const active = sim.rules.activeEvents();
    const ofA = active.find((e) => e.eventId === first.eventId)!;
    expect(ofA.objects[0].box.x1).toBeLessThan(340);
    expect(sim.states()).not.toContain('ended');
  });
});
