import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { restoreVerdict, type SavedEvent, savedEventSchema } from '../../../agent/src/rules/restore.ts';
import { box, det, jitter, seeded } from '../track/scene.ts';
import { camera, Sim } from './sim.ts';

const kerb = {
  id: 'kerb',
  polygon: [
    [0, 0.5],
    [0.6, 0.5],
    [0.6, 1],
    [0, 1],
  ],
};
const parking = () =>
  camera([
    { ...kerb, rules: [{ id: 'no-parking', type: 'illegal_parking', dwellSeconds: 30, updateIntervalSeconds: 20, endAfterSeconds: 15 }] },
  ]);
const spot = box(100, 220, 120, 60);
const elsewhere = box(260, 250, 100, 50);
const OPTS = { graceMs: 20_000, maxDowntimeMs: 3_600_000 };

/** What survives on disk: the saved events through JSON and their schema, as the agent reads them back. */
const throughDisk = (saved: SavedEvent[]): SavedEvent[] => z.array(savedEventSchema).parse(JSON.parse(JSON.stringify(saved)));

/** A car parked since the start, its event started; then the process ends. */
function firstRun() {
  const sim = new Sim(parking());
  const rnd = seeded(5);
  sim.run(50, () => [det('car', jitter(spot, 0.02, rnd))]);
  const started = sim.updates.filter((u) => u.state === 'started');
  expect(started).toHaveLength(1);
  return { sim, started: started[0], saved: throughDisk(sim.rules.saveOpenEvents()), lastSeq: sim.updates.at(-1)!.seq };
}

/** A new process `downMs` later: a new tracker (ids from 1 again), a monotonic clock starting anywhere. */
function secondRun(before: Sim, downMs: number) {
  const sim = new Sim(parking(), 7_000);
  sim.stepWallClock(before.now + downMs - 7_000);
  return sim;
}

describe('open events across a restart (pure: saved state, new tracker, new monotonic clock)', () => {
  it('a car still parked at its place continues its event: same id, next seq, dwell from the original start', () => {
    const { sim: before, started, saved, lastSeq } = firstRun();
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({
      eventId: started.eventId,
      nextSeq: lastSeq + 1,
      zone: 'kerb',
      rule: 'no-parking',
      type: 'illegal_parking',
    });

    const after = secondRun(before, 20_000);
    expect(after.rules.restoreOpenEvents(saved, OPTS)).toEqual([]);
    const rnd = seeded(9);
    const out = after.run(40, () => [det('car', jitter(spot, 0.02, rnd))]);
    expect(out.filter((u) => u.state === 'started')).toEqual([]);
    expect(out.every((u) => u.eventId === started.eventId)).toBe(true);
    expect(out[0]).toMatchObject({ state: 'updated', seq: lastSeq + 1, startedAt: started.startedAt });
    expect(out[0].reason).toMatch(/continued after the agent restarted \(down 2\d s\)/);
    expect(out.map((u) => u.seq)).toEqual(out.map((_, i) => lastSeq + 1 + i));
    // 50 s before, 20 s down, then on: the dwell counts the downtime as the car stood there all along.
    expect(out[0].dwellSeconds).toBeGreaterThanOrEqual(68);
    expect(after.rules.activeEvents().map((e) => e.eventId)).toEqual([started.eventId]);
  });

  it('a car gone while the agent was down: the event ends after the grace period, when it was last seen, with the reason', () => {
    const { sim: before, started, saved } = firstRun();
    const lastSeen = saved[0].lastSeenWall;
    const after = secondRun(before, 20_000);
    after.rules.restoreOpenEvents(saved, OPTS);
    const early = after.run(15, () => []);
    expect(early).toEqual([]);
    expect(after.rules.activeEvents().map((e) => e.eventId)).toEqual([started.eventId]);
    const out = after.run(10, () => []);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ eventId: started.eventId, state: 'ended', endedAt: lastSeen, observedAt: lastSeen });
    expect(out[0].startedAt).toBe(started.startedAt);
    expect(out[0].reason).toMatch(/^not_seen_after_restart: not seen at its place within 20 s/);
    expect(after.rules.activeEvents()).toEqual([]);
  });

  it('another car somewhere else does not take the event over: it starts its own after its own dwell', () => {
    const { sim: before, started, saved } = firstRun();
    const after = secondRun(before, 5_000);
    after.rules.restoreOpenEvents(saved, OPTS);
    const rnd = seeded(2);
    const out = after.run(45, () => [det('car', jitter(elsewhere, 0.02, rnd))]);
    const ended = out.filter((u) => u.state === 'ended');
    expect(ended.map((u) => u.eventId)).toEqual([started.eventId]);
    const fresh = out.filter((u) => u.state === 'started');
    expect(fresh).toHaveLength(1);
    expect(fresh[0].eventId).not.toBe(started.eventId);
    expect(fresh[0].seq).toBe(0);
  });

  it('down longer than the limit: ended at the first frame, at the last sighting', () => {
    const { sim: before, started, saved } = firstRun();
    const after = secondRun(before, 2 * 3_600_000);
    after.rules.restoreOpenEvents(saved, OPTS);
    const out = after.run(1, () => [det('car', spot)]);
    expect(out[0]).toMatchObject({ eventId: started.eventId, state: 'ended', endedAt: saved[0].lastSeenWall });
    expect(out[0].reason).toMatch(/^not_seen_after_restart: the agent was down 7200 s, longer than 60 min/);
  });

  it('saving before the first frame keeps the events still waiting to be restored; a removed rule gets them back', () => {
    const { sim: before, saved } = firstRun();
    const after = secondRun(before, 1_000);
    after.rules.restoreOpenEvents(saved, OPTS);
    expect(throughDisk(after.rules.saveOpenEvents())).toEqual(saved);
    const other = { ...saved[0], rule: 'gone' };
    expect(after.rules.restoreOpenEvents([other], OPTS)).toEqual([other]);
  });

  it('restoreVerdict: a wall clock that went back counts as no downtime; the dwell goes on from what was measured', () => {
    const s = { lastSeenWall: 1_000_000, dwellMs: 40_000 } as SavedEvent;
    expect(restoreVerdict(s, 900_000, 60_000)).toEqual({ resume: true, downtimeMs: 0, dwellMs: 40_000 });
    expect(restoreVerdict(s, 1_030_000, 60_000)).toEqual({ resume: true, downtimeMs: 30_000, dwellMs: 70_000 });
    expect(restoreVerdict(s, 1_070_000, 60_000)).toMatchObject({ resume: false, endedAt: 1_000_000 });
  });
});
