import { describe, expect, it } from 'vitest';
import { box, det, jitter, seeded, shift } from '../track/scene.ts';
import { camera, Sim, T0 } from './sim.ts';

/** The kerb: the lower-left half of the frame. */
const kerb = {
  id: 'kerb',
  name: 'Kerb on Main St',
  polygon: [
    [0, 0.5],
    [0.6, 0.5],
    [0.6, 1],
    [0, 1],
  ],
};
const parking = (extra: Record<string, unknown> = {}) =>
  camera([
    {
      ...kerb,
      rules: [{ id: 'no-parking', type: 'illegal_parking', dwellSeconds: 60, updateIntervalSeconds: 20, endAfterSeconds: 15, ...extra }],
    },
  ]);

const spot = box(100, 220, 120, 60);
/** A car driving in from the left over 4 s and stopping at `spot`. */
const arriving = (t: number) => shift(spot, -Math.max(0, 4 - t) * 40, 0);

describe('illegal_parking', () => {
  it('starts one event after the dwell, since the car stopped, and updates at the interval', () => {
    const sim = new Sim(parking());
    const rnd = seeded(3);
    sim.run(120, (_, t) => [det('car', jitter(arriving(t), 0.03, rnd))]);
    const started = sim.updates.filter((u) => u.state === 'started');
    expect(started).toHaveLength(1);
    const s = started[0];
    // The car stopped at ~4 s; the event starts once it has stood there for 60 s.
    expect((s.startedAt - T0) / 1000).toBeGreaterThan(2);
    expect((s.startedAt - T0) / 1000).toBeLessThan(8);
    expect(s.observedAt - s.startedAt).toBeGreaterThanOrEqual(60_000);
    expect(s.zone).toEqual({ id: 'kerb', name: 'Kerb on Main St' });
    expect(s.objects.map((o) => o.label)).toEqual(['car']);
    expect(s.betterEvidence).toBe(true);
    expect(s.eventId).toMatch(/^cam1-[a-z0-9]+-[0-9a-f]{10}$/);
    const updated = sim.updates.filter((u) => u.state === 'updated');
    expect(updated.length).toBeGreaterThanOrEqual(2);
    expect(updated.every((u) => u.eventId === s.eventId)).toBe(true);
    expect(updated.map((u) => u.seq)).toEqual(updated.map((_, i) => i + 1));
    const gaps = [s, ...updated].slice(1).map((u, i) => u.observedAt - [s, ...updated][i].observedAt);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(20_000);
  });

  it('keeps one event through detector jitter and a 2-second miss', () => {
    const sim = new Sim(parking());
    const rnd = seeded(4);
    sim.run(200, (_, t) => (t >= 100 && t < 102 ? [] : [det('car', jitter(spot, 0.05, rnd), 0.6 + rnd() * 0.3)]));
    expect(sim.states()).not.toContain('ended');
    expect(sim.states().filter((s) => s === 'started')).toHaveLength(1);
  });

  it('ends after endAfterSeconds once the car has driven off, saying it left', () => {
    const sim = new Sim(parking());
    sim.run(90, () => [det('car', spot)]);
    // Drives off to the right, out of the zone and then out of the frame.
    const leaving = sim.run(40, (_, t) => (t < 4 ? [det('car', shift(spot, t * 120, 0))] : []));
    const leftAt = sim.now - 40_000;
    const ended = leaving.filter((u) => u.state === 'ended');
    expect(ended).toHaveLength(1);
    expect(ended[0].endedAt! - leftAt).toBeGreaterThanOrEqual(15_000);
    expect(ended[0].endedAt! - leftAt).toBeLessThan(20_000);
    expect(ended[0].reason).toMatch(/the vehicle/);
    expect(ended[0].eventId).toBe(sim.updates[0].eventId);
  });

  it('ends when the schedule closes, and starts nothing while it is closed', () => {
    // 19:58 on a Tuesday in Shanghai; the rule is in force Mon–Fri 07:00–20:00.
    const evening = Date.UTC(2025, 4, 6, 11, 56, 0);
    const sim = new Sim(parking({ schedule: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '07:00', to: '20:00' }] }), evening);
    sim.run(600, () => [det('car', spot)]);
    const states = sim.states();
    expect(states[0]).toBe('started');
    expect(states.slice(1, -1).every((s) => s === 'updated')).toBe(true);
    expect(states[states.length - 1]).toBe('ended');
    const ended = sim.updates[sim.updates.length - 1];
    const closing = Date.UTC(2025, 4, 6, 12, 0, 0);
    expect(ended.endedAt! - closing).toBeGreaterThanOrEqual(14_000);
    expect(ended.endedAt! - closing).toBeLessThan(16_000);
    expect(ended.reason).toMatch(/out of schedule.*Mon–Fri 07:00–20:00/);
  });

  it('counts the dwell from the opening of the schedule for a car parked before it', () => {
    const morning = Date.UTC(2025, 4, 5, 22, 50, 0); // 06:50 Tuesday in Shanghai
    const sim = new Sim(parking({ schedule: [{ from: '07:00', to: '20:00' }] }), morning);
    sim.run(15 * 60, () => [det('car', spot)]);
    const started = sim.updates.find((u) => u.state === 'started')!;
    expect(started.startedAt).toBe(Date.UTC(2025, 4, 5, 23, 0, 0));
  });

  it('creeping traffic in a queue produces no event', () => {
    const sim = new Sim(parking());
    const rnd = seeded(5);
    // Three cars inch through the zone at 6 px/s with stops of 20 s every 25 s, as in a jam.
    const creep = (t: number) => Math.floor(t / 25) * 5 * 6 + Math.min(t % 25, 5) * 6;
    sim.run(400, (_, t) => [0, 1, 2].map((k) => det('car', jitter(shift(box(-100 - k * 140, 230, 120, 60), creep(t), 0), 0.03, rnd))));
    expect(sim.updates).toEqual([]);
  });

  it('a track-id switch inside the zone does not open a second event', () => {
    const sim = new Sim(parking());
    sim.run(80, () => [det('car', spot)]);
    // The detector calls it a truck for a while (a new track), then the car is hidden 8 s (the tracker forgets it).
    sim.run(20, () => [det('truck', spot)]);
    sim.run(8, () => []);
    sim.run(60, () => [det('car', spot)]);
    expect(sim.states().filter((s) => s === 'started')).toHaveLength(1);
    expect(sim.states()).not.toContain('ended');
    expect(new Set(sim.updates.map((u) => u.eventId)).size).toBe(1);
    const trackIds = new Set(sim.updates.flatMap((u) => u.objects.map((o) => o.trackId)));
    expect(trackIds.size).toBeGreaterThan(1);
  });

  it('flags an update whose frame shows the car better than any sent before, for the best snapshot', () => {
    const sim = new Sim(parking());
    // Half hidden at first (low score), then in full view.
    sim.run(70, () => [det('car', spot, 0.55)]);
    sim.run(20, () => [det('car', spot, 0.9)]);
    sim.run(40, () => [det('car', spot, 0.9)]);
    expect(sim.updates.map((u) => [u.state, u.betterEvidence])).toEqual([
      ['started', true],
      ['updated', true],
      ['updated', false],
      ['updated', false],
    ]);
  });

  it('two cars parked side by side are two events', () => {
    const sim = new Sim(parking());
    sim.run(70, () => [det('car', spot), det('car', shift(spot, 130, 0))]);
    expect(sim.states()).toEqual(['started', 'started']);
    expect(new Set(sim.updates.map((u) => u.eventId)).size).toBe(2);
  });

  it('ignores cars outside the zone, other labels, and low scores', () => {
    const sim = new Sim(parking());
    sim.run(90, () => [
      det('car', shift(spot, 400, 0)),
      det('person', shift(spot, 0, 10)),
      det('car', shift(spot, 0, -150)),
      det('bus', spot, 0.3),
    ]);
    expect(sim.updates).toEqual([]);
  });

  it('ignores a car standing in a privacy mask', () => {
    const sim = new Sim(
      camera([{ ...kerb, rules: [{ id: 'p', type: 'illegal_parking', dwellSeconds: 10 }] }], {
        privacyMasks: [
          [
            [0.1, 0.7],
            [0.4, 0.7],
            [0.4, 0.9],
            [0.1, 0.9],
          ],
        ],
      }),
    );
    sim.run(60, () => [det('car', spot)]);
    expect(sim.updates).toEqual([]);
  });
});
