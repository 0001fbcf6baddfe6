import { describe, expect, it } from 'vitest';
import { ruleSchema } from '../../../agent/src/rules/config.ts';
import { describeRule } from '../../../agent/src/rules/kinds/index.ts';
import { thresholdWarnings } from '../../../agent/src/rules/thresholds.ts';
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

describe('rule thresholds that would silently do nothing', () => {
  it('a minScore below the tracker’s new-track score is warned about, and the rule sentence states the score that applies', () => {
    const cam = camera([
      {
        ...yard,
        rules: [
          { id: 'keep-out', type: 'intrusion', minScore: 0.3 },
          { id: 'crowd', type: 'crowd', minCount: 3 },
        ],
      },
    ]);
    expect(thresholdWarnings(cam)).toEqual([
      {
        path: 'zones[0].rules[0].minScore',
        message: expect.stringMatching(/^0\.3 is below the tracker's newTrackScore 0\.45: .* effective threshold is 0\.45/),
      },
    ]);
    expect(describeRule(cam.zones[0].rules[0], cam.tracker)).toMatch(
      /objects scored below 0\.45 are ignored \(the tracker's newTrackScore: the rule's minScore 0\.3 only keeps objects already followed\)/,
    );
    // The alert's sentence is the same one.
    const sim = new Sim(cam);
    sim.run(3, () => [det('person', person)]);
    expect(sim.updates[0].ruleDescription).toMatch(/objects scored below 0\.45 are ignored \(the tracker's newTrackScore/);
  });

  it('no warning when the tracker is told to start tracks as low as the rule looks', () => {
    const cam = camera([{ ...yard, rules: [{ id: 'keep-out', type: 'intrusion', minScore: 0.3 }] }], {
      tracker: { newTrackScore: 0.3, highScore: 0.3 },
    });
    expect(thresholdWarnings(cam)).toEqual([]);
    expect(describeRule(cam.zones[0].rules[0], cam.tracker)).toMatch(/objects scored below 0\.3 are ignored;/);
  });

  it('the defaults raise no warning', () => {
    const cam = camera([
      {
        ...yard,
        rules: ['illegal_parking', 'street_vending', 'intrusion', 'loitering'].map((type) => ({ id: type.replace('_', '-'), type })),
      },
    ]);
    expect(thresholdWarnings(cam)).toEqual([]);
  });

  it('intrusion by default: two visitors 12 s apart are two events', () => {
    const sim = new Sim(camera([{ ...yard, rules: [{ id: 'keep-out', type: 'intrusion' }] }]));
    const visit = (_: number, t: number) => (t < 6 ? [det('person', shift(person, Math.min(t, 3) * 20, 0))] : []);
    sim.run(18, visit);
    sim.run(18, visit);
    expect(sim.states().filter((s) => s !== 'updated')).toEqual(['started', 'ended', 'started', 'ended']);
  });

  it('each rule type has its own end-after default', () => {
    const endAfter = (r: Record<string, unknown>) => ruleSchema.parse({ id: 'r', ...r }).endAfterSeconds;
    expect(endAfter({ type: 'illegal_parking' })).toBe(30);
    expect(endAfter({ type: 'intrusion' })).toBe(8);
    expect(endAfter({ type: 'loitering' })).toBe(15);
    expect(
      endAfter({
        type: 'line_crossing',
        line: [
          [0, 0],
          [1, 1],
        ],
      }),
    ).toBe(5);
  });
});
