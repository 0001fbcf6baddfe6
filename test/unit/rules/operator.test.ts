import { describe, expect, it } from 'vitest';
import { applyOperatorActionToAny } from '../../../agent/src/runtime/operator-commands.ts';
import { box, det, shift } from '../track/scene.ts';
import { kerbCamera, Sim } from './sim.ts';

const spot = box(100, 220, 120, 60);
const parked = () => [det('car', spot)];
const by = { by: 'operator-7' };

function startedEvent(sim: Sim): string {
  sim.run(40, parked);
  const started = sim.updates.find((u) => u.state === 'started');
  if (!started) throw new Error('expected the parked car to start an event');
  return started.eventId;
}

describe('operator actions', () => {
  it('dispatch, then the car leaves: the event is cleared (not ended) with the time since dispatch', () => {
    const sim = new Sim(kerbCamera());
    const id = startedEvent(sim);
    expect(sim.rules.applyOperatorAction(id, 'dispatch', sim.at, { ...by, unit: 'patrol-2' })).toEqual({
      ok: true,
      eventId: id,
      action: 'dispatch',
    });
    expect(sim.rules.activeEvents()[0]).toMatchObject({
      eventId: id,
      dispatchedAt: sim.now,
      operator: { action: 'dispatch', by: 'operator-7', unit: 'patrol-2' },
    });
    sim.run(50, parked);
    const after = sim.run(20, (_, t) => (t < 3 ? [det('car', shift(spot, t * 150, 0))] : []));
    const closing = after.filter((u) => u.state !== 'updated');
    expect(closing.map((u) => u.state)).toEqual(['cleared']);
    expect(closing[0].reason).toMatch(/^cleared 1 min \d+ s after dispatch: the vehicle left/);
    expect(closing[0].eventId).toBe(id);
    expect(sim.rules.activeEvents()).toEqual([]);
  });

  it('a dispatched violation that persists gets reminder updates every reminderSeconds', () => {
    const sim = new Sim(kerbCamera({ updateIntervalSeconds: 1000 }));
    const id = startedEvent(sim);
    const dispatchedAt = sim.now;
    sim.rules.applyOperatorAction(id, 'dispatch', sim.at, by);
    const later = sim.run(300, parked);
    expect(later.map((u) => [u.state, u.reminder])).toEqual([
      ['updated', true],
      ['updated', true],
    ]);
    expect(later[0].observedAt - dispatchedAt).toBe(120_000);
    expect(later[0].reason).toBe('still present 2 min after dispatch');
  });

  it('false_positive ends the event and ignores that object in that zone, even under a new track id', () => {
    const sim = new Sim(kerbCamera({ suppressSeconds: 600 }));
    const id = startedEvent(sim);
    const result = sim.rules.applyOperatorAction(id, 'false_positive', sim.at, { ...by, note: 'a bush' });
    expect(result).toMatchObject({
      ok: true,
      update: {
        state: 'ended',
        eventId: id,
        reason: 'marked as a false positive by operator-7',
        operator: { action: 'false_positive', note: 'a bush' },
      },
    });
    sim.run(120, parked);
    // The tracker loses it for 10 s and finds it again under a new id: still the same false detection.
    sim.run(10, () => []);
    sim.run(120, parked);
    expect(sim.states()).toEqual(['started']);
  });

  it('the suppression is per zone and expires after suppressSeconds', () => {
    const sim = new Sim(kerbCamera({ suppressSeconds: 60 }));
    const id = startedEvent(sim);
    sim.rules.applyOperatorAction(id, 'false_positive', sim.at, by);
    sim.run(200, parked);
    const started = sim.updates.filter((u) => u.state === 'started');
    expect(started).toHaveLength(2);
    expect(started[1].eventId).not.toBe(id);
    expect(started[1].observedAt - started[0].observedAt).toBeGreaterThanOrEqual(60_000);
  });

  it('resolve ends the event; the same car standing on opens no new event until it has gone', () => {
    const sim = new Sim(kerbCamera());
    const id = startedEvent(sim);
    expect(sim.rules.applyOperatorAction(id, 'resolve', sim.at, by)).toMatchObject({
      ok: true,
      update: { state: 'ended', reason: 'resolved by operator-7' },
    });
    sim.run(200, parked);
    expect(sim.states()).toEqual(['started']);
    sim.run(20, () => []);
    sim.run(40, parked);
    expect(sim.states()).toEqual(['started', 'started']);
  });

  it('ack only records: the next update carries it', () => {
    const sim = new Sim(kerbCamera());
    const id = startedEvent(sim);
    expect(sim.rules.applyOperatorAction(id, 'ack', sim.at, by)).toEqual({ ok: true, eventId: id, action: 'ack' });
    const next = sim.run(70, parked);
    expect(next.map((u) => u.state)).toEqual(['updated']);
    expect(next[0].operator).toMatchObject({ action: 'ack', by: 'operator-7' });
  });

  it('an unknown or already closed event id is an error result that changes nothing', () => {
    const sim = new Sim(kerbCamera());
    const id = startedEvent(sim);
    expect(sim.rules.applyOperatorAction('cam1-nope', 'resolve', sim.at, by)).toEqual({
      ok: false,
      code: 'unknown_event',
      error: expect.stringMatching(/unknown event id "cam1-nope"/),
    });
    expect(sim.rules.activeEvents().map((e) => e.eventId)).toEqual([id]);
    sim.rules.applyOperatorAction(id, 'resolve', sim.at, by);
    expect(sim.rules.applyOperatorAction(id, 'dispatch', sim.at, by)).toEqual({
      ok: false,
      code: 'ended',
      error: expect.stringMatching(/already closed \(resolve\)/),
    });
  });

  it('an action on an event that has just ended says so', () => {
    const sim = new Sim(kerbCamera());
    const id = startedEvent(sim);
    sim.run(20, () => []);
    expect(sim.rules.applyOperatorAction(id, 'dispatch', sim.at, by)).toEqual({
      ok: false,
      code: 'ended',
      error: expect.stringMatching(/has already ended at \S+: the vehicle left/),
    });
  });

  it('finds the camera an event belongs to among several', () => {
    const a = new Sim(kerbCamera());
    const b = new Sim(kerbCamera());
    startedEvent(a);
    const id = startedEvent(b);
    expect(applyOperatorActionToAny([a.rules, b.rules], id, 'ack', b.at, by)).toEqual({ ok: true, eventId: id, action: 'ack' });
    expect(applyOperatorActionToAny([a.rules, b.rules], 'nope', 'ack', b.at, by)).toMatchObject({ ok: false, code: 'unknown_event' });
  });

  it('lists active events with their current dwell for status requests', () => {
    const sim = new Sim(kerbCamera());
    const id = startedEvent(sim);
    sim.run(20, parked);
    const [active] = sim.rules.activeEvents();
    expect(active).toMatchObject({ eventId: id, camera: 'cam1', zone: { id: 'kerb' }, rule: { id: 'no-parking' } });
    expect(active.dwellSeconds).toBeGreaterThanOrEqual(50);
  });
});
