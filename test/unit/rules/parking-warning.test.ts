import { describe, expect, it } from 'vitest';
import { buildAlert } from '../../../agent/src/alert/build.ts';
import { ruleSchema } from '../../../agent/src/rules/config.ts';
import { box, det, jitter, seeded, shift } from '../track/scene.ts';
import { camera, Sim } from './sim.ts';

const kerb = (extra: Record<string, unknown>) =>
  camera([
    {
      id: 'kerb',
      polygon: [
        [0, 0.5],
        [0.6, 0.5],
        [0.6, 1],
        [0, 1],
      ],
      rules: [
        {
          id: 'no-parking',
          type: 'illegal_parking',
          dwellSeconds: 120,
          warnAfterSeconds: 30,
          updateIntervalSeconds: 600,
          endAfterSeconds: 15,
          ...extra,
        },
      ],
    },
  ]);
const spot = box(100, 220, 120, 60);
const ctx = {
  site: { id: 's' },
  camera: { id: 'cam1', location: { lat: 31.2, lon: 121.4 } },
  model: { name: 'm', sha256: 'a'.repeat(64) },
  agent: { version: '0', boxId: 'b' },
  frame: { width: 640, height: 360 },
};

describe('two-stage parking (warnAfterSeconds)', () => {
  it("a car that stays: a warning after 30 s, the violation after 120 s, both in the alert's phase", () => {
    const sim = new Sim(kerb({}));
    const rnd = seeded(5);
    sim.run(150, () => [det('car', jitter(spot, 0.03, rnd))]);
    const phases = sim.updates.map((u) => `${u.state}:${u.phase}`);
    expect(phases).toEqual(['started:warning', 'updated:violation']);
    const [warning, violation] = sim.updates;
    expect(warning.observedAt - warning.startedAt).toBeGreaterThanOrEqual(30_000);
    expect(warning.observedAt - warning.startedAt).toBeLessThan(32_000);
    expect(violation.observedAt - violation.startedAt).toBeGreaterThanOrEqual(120_000);
    expect(violation.betterEvidence).toBe(true);
    expect(buildAlert(warning, ctx).phase).toBe('warning');
    expect(buildAlert(violation, ctx)).toMatchObject({
      phase: 'violation',
      state: 'updated',
      category: { id: 'illegal_parking', legacyCode: '04-09' },
    });
  });

  it('a driver who leaves within the grace period: the event ends as a warning only, never a violation', () => {
    const sim = new Sim(kerb({}));
    sim.run(60, () => [det('car', spot)]);
    sim.run(8, (_, t) => [det('car', shift(spot, t * 60, 0))]);
    sim.run(100, () => []);
    expect(sim.updates.map((u) => `${u.state}:${u.phase}`)).toEqual(['started:warning', 'ended:warning']);
    expect(sim.updates[1].reason).toMatch(/^warning only \(gone before 2 min\): /);
  });

  it('without warnAfterSeconds there is no phase; a warning as long as the dwell is refused', () => {
    const sim = new Sim(kerb({ warnAfterSeconds: undefined }));
    sim.run(130, () => [det('car', spot)]);
    expect(sim.updates.map((u) => u.state)).toEqual(['started']);
    expect(sim.updates[0].phase).toBeUndefined();
    expect(() => ruleSchema.parse({ id: 'p', type: 'illegal_parking', dwellSeconds: 60, warnAfterSeconds: 60 })).toThrow(
      /warnAfterSeconds shorter than dwellSeconds/,
    );
  });
});
