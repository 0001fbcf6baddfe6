import { describe, expect, it } from 'vitest';
import type { CameraConfig } from '../../../agent/src/config/schema.ts';
import { box, det } from '../track/scene.ts';
import { camera, kerbCamera, Sim } from './sim.ts';

const spot = box(100, 220, 120, 60);
const parked = () => [det('car', spot)];
const by = { by: 'operator-7' };

/** The kerb camera with a second zone (a loading bay on the right) besides the kerb. */
function withBay(kerb: CameraConfig): CameraConfig {
  return camera([
    ...kerb.zones,
    {
      id: 'bay',
      polygon: [
        [0.7, 0.5],
        [1, 0.5],
        [1, 1],
        [0.7, 1],
      ],
      rules: [{ id: 'bay-parking', type: 'illegal_parking', dwellSeconds: 30 }],
    },
  ]);
}

function startedEvent(sim: Sim): string {
  sim.run(40, parked);
  const started = sim.updates.find((u) => u.state === 'started');
  if (!started) throw new Error('expected the parked car to start an event');
  return started.eventId;
}

describe('a config applied while the camera runs (rules reconfigured in place)', () => {
  it('a dispatched event goes on under its id after an unrelated zone is added, and is cleared when the car leaves', () => {
    const sim = new Sim(kerbCamera());
    const id = startedEvent(sim);
    sim.rules.applyOperatorAction(id, 'dispatch', sim.at, { ...by, unit: 'patrol-2' });
    expect(sim.rules.reconfigure(withBay(kerbCamera()), sim.at)).toEqual([]);
    const later = sim.run(60, parked);
    expect(later.filter((u) => u.state === 'started')).toEqual([]);
    expect(sim.rules.activeEvents().map((e) => [e.eventId, e.operator?.action])).toEqual([[id, 'dispatch']]);
    const gone = sim.run(20, () => []);
    expect(gone.map((u) => [u.eventId, u.state])).toEqual([[id, 'cleared']]);
  });

  it('a changed rule keeps its open event (id and seq go on) and takes the new settings', () => {
    const sim = new Sim(kerbCamera());
    const id = startedEvent(sim);
    const lastSeq = Math.max(...sim.updates.filter((u) => u.eventId === id).map((u) => u.seq));
    sim.rules.reconfigure(kerbCamera({ updateIntervalSeconds: 10 }), sim.at);
    const later = sim.run(25, parked);
    expect(later.map((u) => [u.eventId, u.state, u.seq])).toEqual([
      [id, 'updated', lastSeq + 1],
      [id, 'updated', lastSeq + 2],
      [id, 'updated', lastSeq + 3],
    ]);
    expect(later[2].observedAt - later[1].observedAt).toBe(10_000);
  });

  it('a false-positive suppression holds across a change of the rule: the same car raises nothing for suppressSeconds', () => {
    const sim = new Sim(kerbCamera({ suppressSeconds: 3600 }));
    const id = startedEvent(sim);
    sim.rules.applyOperatorAction(id, 'false_positive', sim.at, by);
    sim.rules.reconfigure(kerbCamera({ suppressSeconds: 3600, dwellSeconds: 20 }), sim.at);
    expect(sim.run(120, parked)).toEqual([]);
  });

  it("a removed rule's open event ends at once, with a reason that names the rule and says the config removed it", () => {
    const sim = new Sim(kerbCamera());
    const id = startedEvent(sim);
    const ended = sim.rules.reconfigure(camera([]), sim.at);
    expect(ended).toMatchObject([{ eventId: id, state: 'ended', endedAt: sim.now }]);
    expect(ended[0].reason).toBe('config_changed: rule "no-parking" (illegal_parking) of zone "kerb" was removed from the config');
    expect(sim.run(60, parked)).toEqual([]);
    expect(sim.rules.applyOperatorAction(id, 'ack', sim.at, by)).toMatchObject({ ok: false, code: 'ended' });
  });

  it('a rule whose type changed under the same id is a new rule: the old event ends, the new rule starts its own', () => {
    const sim = new Sim(kerbCamera());
    const id = startedEvent(sim);
    const presence = camera([
      { ...kerbCamera().zones[0], rules: [{ id: 'no-parking', type: 'intrusion', labels: ['car'], dwellSeconds: 5 }] },
    ]);
    expect(sim.rules.reconfigure(presence, sim.at).map((u) => [u.eventId, u.state])).toEqual([[id, 'ended']]);
    const fresh = sim.run(10, parked).filter((u) => u.state === 'started');
    expect(fresh).toHaveLength(1);
    expect(fresh[0].eventId).not.toBe(id);
  });
});
