import { describe, expect, it } from 'vitest';
import { box, det, shift } from '../track/scene.ts';
import { camera, Sim } from './sim.ts';

const yard = {
  id: 'yard',
  polygon: [
    [0, 0],
    [0.5, 0],
    [0.5, 1],
    [0, 1],
  ],
};
const person = box(100, 100, 30, 80);

describe('intrusion', () => {
  it('starts at once when a person enters the forbidden zone, one event for everyone inside, ended after they leave', () => {
    const sim = new Sim(
      camera([{ ...yard, rules: [{ id: 'keep-out', type: 'intrusion', endAfterSeconds: 10, updateIntervalSeconds: 5 }] }]),
    );
    sim.run(6, (_, t) => [det('person', shift(person, 400 - Math.min(t, 4) * 100, 0))]);
    sim.run(10, () => [det('person', person), det('person', shift(person, 60, 20))]);
    // One walks out of the zone to the right (and stays in view), the other is gone.
    sim.run(25, (_, t) => [det('person', shift(person, Math.min(t, 8) * 50, 0))]);
    const states = sim.states();
    expect(states[0]).toBe('started');
    expect(states[states.length - 1]).toBe('ended');
    expect(states.filter((s) => s === 'started')).toHaveLength(1);
    expect(Math.max(...sim.updates.map((u) => u.objects.length))).toBe(2);
    expect(sim.updates[states.length - 1].reason).toMatch(/no person inside the zone/);
  });
});

describe('crowd', () => {
  const rules = [{ id: 'gathering', type: 'crowd', minCount: 4, dwellSeconds: 30, endAfterSeconds: 10 }];
  const people = (n: number) => Array.from({ length: n }, (_, i) => det('person', shift(person, (i % 4) * 40, Math.floor(i / 4) * 90)));

  it('starts when at least minCount people stay for the dwell, tolerating a brief dip', () => {
    const sim = new Sim(camera([{ ...yard, rules }]));
    sim.run(20, () => people(5));
    sim.run(3, () => people(3));
    sim.run(20, () => people(5));
    expect(sim.states()).toEqual(['started']);
    expect(sim.updates[0].objects).toHaveLength(5);
  });

  it('three people never make a crowd of four', () => {
    const sim = new Sim(camera([{ ...yard, rules }]));
    sim.run(120, () => people(3));
    expect(sim.updates).toEqual([]);
  });
});

describe('loitering', () => {
  const rules = (mode: string) => [{ id: 'lingering', type: 'loitering', mode, dwellSeconds: 60, endAfterSeconds: 10 }];
  const pacing = (_: number, t: number) => [det('person', shift(person, Math.abs(((t * 20) % 200) - 100), 0))];

  it('a person standing in one spot for the dwell is loitering (the default mode)', () => {
    const sim = new Sim(camera([{ ...yard, rules: [{ id: 'lingering', type: 'loitering', dwellSeconds: 60, endAfterSeconds: 10 }] }]));
    sim.run(90, (_, t) => [det('person', shift(person, Math.sin(t * 7) * 2, 0))]);
    expect(sim.states()).toEqual(['started']);
    expect(sim.updates[0].observedAt - sim.updates[0].startedAt).toBeGreaterThanOrEqual(60_000);
    expect(sim.updates[0].ruleDescription).toMatch(/standing still inside the zone for at least 1 min/);
  });

  it('a person pacing inside the zone is not standing still, but is lingering in in_zone mode', () => {
    const still = new Sim(camera([{ ...yard, rules: rules('stationary') }]));
    still.run(120, pacing);
    expect(still.updates).toEqual([]);
    const lingering = new Sim(camera([{ ...yard, rules: rules('in_zone') }]));
    lingering.run(90, pacing);
    expect(lingering.states()).toEqual(['started']);
    expect(lingering.updates[0].observedAt - lingering.updates[0].startedAt).toBeGreaterThanOrEqual(60_000);
  });

  it('people passing through are not loitering in either mode', () => {
    for (const mode of ['stationary', 'in_zone']) {
      const sim = new Sim(camera([{ ...yard, rules: rules(mode) }]));
      // A new passer-by every 20 s, walking across the zone in 10 s.
      sim.run(200, (_, t) => [det('person', shift(person, -120 + (t % 20) * 40, 0))]);
      expect(sim.updates, mode).toEqual([]);
    }
  });
});
