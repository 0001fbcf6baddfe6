import { describe, expect, it } from 'vitest';
import type { Box } from '../../../agent/src/core/geometry.ts';
import { silentLogger } from '../../../agent/src/core/log.ts';
import type { RuleConfig } from '../../../agent/src/rules/config.ts';
import type { RuleObject, Sighting } from '../../../agent/src/rules/kind.ts';
import { ruleKind } from '../../../agent/src/rules/kinds/index.ts';
import {
  applyOperatorAction,
  dwellSince,
  endReason,
  expiryOf,
  initialLifecycle,
  isSuppressedBy,
  type LifecycleState,
  nextReminder,
  restoredEpisode,
  savedEventOf,
  stepLifecycle,
  suppressionsOf,
} from '../../../agent/src/rules/lifecycle.ts';
import { restoreVerdict } from '../../../agent/src/rules/restore.ts';
import type { ViolationUpdate } from '../../../agent/src/rules/types.ts';
import { kerbCamera, stillCar } from './sim.ts';

const KERB: Box = { x1: 100, y1: 200, x2: 220, y2: 260 };
const ACROSS: Box = { x1: 400, y1: 200, x2: 520, y2: 260 };
const T0 = 1_000_000;

const car = (id: number, box: Box = KERB): RuleObject => stillCar(id, box);

/** An illegal-parking lifecycle: dwell 30 s, an update at most every 60 s, ended 10 s after the car left, reminders every 120 s. */
function parking(rule: Record<string, unknown> = {}): LifecycleState {
  const cam = kerbCamera({ suppressSeconds: 300, ...rule });
  const params: RuleConfig = cam.zones[0].rules[0];
  let n = 0;
  return initialLifecycle({
    camera: 'cam1',
    zone: { id: 'kerb' },
    rule: params,
    kind: ruleKind(params),
    newEventId: () => `ev-${++n}`,
    logger: silentLogger,
  });
}

/** Runs the lifecycle once a second from `from` to `to` (s after T0) with `present` seen (or nothing), returning every message. */
function run(state: LifecycleState, from: number, to: number, present?: RuleObject): ViolationUpdate[] {
  const out: ViolationUpdate[] = [];
  for (let s = from; s <= to; s++) {
    const at = T0 + s * 1000;
    const candidates: Sighting[] = present ? [{ objects: [present], anchors: [present] }] : [];
    const seen = new Set(present ? [present.id] : []);
    out.push(...stepLifecycle(state, candidates, { wall: at, mono: at }, { open: true, seen }));
  }
  return out;
}

describe('lifecycle state: an event from start to end', () => {
  it('a car parked past the dwell starts one event; it ends as "left" once unseen for endAfterSeconds', () => {
    const state = parking();
    expect(run(state, 0, 29, car(1))).toEqual([]);
    const started = run(state, 30, 40, car(1));
    expect(started.map((u) => u.state)).toEqual(['started']);
    expect(run(state, 41, 49)).toEqual([]);
    const ended = run(state, 50, 50);
    expect(ended.map((u) => [u.state, u.eventId, u.seq])).toEqual([['ended', 'ev-1', 1]]);
    expect(ended[0].reason).toMatch(/left/);
    expect(state.episodes).toEqual([]);
  });

  it('an event seen again sends `updated` no more often than its update interval', () => {
    const state = parking();
    run(state, 0, 30, car(1));
    const later = run(state, 31, 150, car(1));
    expect(later.map((u) => Math.round((u.observedAt - T0) / 1000))).toEqual([90, 150]);
  });

  it('after dispatch, a car still there gets a reminder every reminderSeconds, saying how long since dispatch', () => {
    const state = parking({ updateIntervalSeconds: 600 });
    const [started] = run(state, 0, 30, car(1));
    const at = T0 + 30_000;
    expect(applyOperatorAction(state, started.eventId, 'dispatch', { wall: at, mono: at }, { by: 'op' })).toMatchObject({ ok: true });
    const reminders = run(state, 31, 300, car(1)).filter((u) => u.reminder);
    expect(reminders.map((u) => Math.round((u.observedAt - T0) / 1000))).toEqual([150, 270]);
    expect(reminders[0].reason).toBe('still present 2 min after dispatch');
  });

  it('marked false positive, the event ends at once and its car (even under a new id) starts nothing while suppressed', () => {
    const state = parking();
    const [started] = run(state, 0, 30, car(1));
    const at = T0 + 30_000;
    const result = applyOperatorAction(state, started.eventId, 'false_positive', { wall: at, mono: at }, { by: 'op' });
    expect(result).toMatchObject({ ok: true, update: { state: 'ended', reason: 'marked as a false positive by op' } });
    expect(isSuppressedBy(state.suppressed, car(5), at + 299_000)).toBe(true);
    expect(isSuppressedBy(state.suppressed, car(5), at + 300_000)).toBe(false);
    expect(isSuppressedBy(state.suppressed, car(5, ACROSS), at + 1000)).toBe(false);
    const again = applyOperatorAction(state, started.eventId, 'resolve', { wall: at, mono: at }, { by: 'op' });
    expect(again).toMatchObject({ ok: false, code: 'ended' });
  });
});

describe('lifecycle: the pure decisions', () => {
  it('an unseen violation is kept until endAfterSeconds have passed since it was last true, then lapses', () => {
    const state = parking();
    run(state, 0, 5, car(1));
    const [ep] = state.episodes;
    expect(expiryOf(state.settings, ep, T0 + 14_999)).toBe('kept');
    expect(expiryOf(state.settings, ep, T0 + 15_000)).toBe('lapsed');
  });

  it('a restored event waits out its grace, however recently it was last true, then ends as not seen', () => {
    const state = parking();
    run(state, 0, 5, car(1));
    const [ep] = state.episodes;
    ep.restored = { saved: {} as never, graceUntil: T0 + 60_000, graceMs: 55_000, downtimeMs: 1000 };
    expect(expiryOf(state.settings, ep, T0 + 59_999)).toBe('kept');
    expect(expiryOf(state.settings, ep, T0 + 60_000)).toBe('not_seen_after_restart');
  });

  it('the dwell restarts when the same object settles again after moving, not after a short miss', () => {
    const state = parking();
    run(state, 0, 5, car(1));
    const [ep] = state.episodes;
    expect(dwellSince(ep, T0 + 8000, true)).toBe(T0 + 8000);
    expect(dwellSince(ep, T0 + 8000, false)).toBe(T0);
    expect(dwellSince(ep, T0 + 3000, true)).toBe(T0);
  });

  it('a reminder missed while the car was unseen is not sent late: the next one keeps the cadence', () => {
    expect(nextReminder(100, 100, 120)).toBe(220);
    expect(nextReminder(100, 350, 120)).toBe(460);
  });

  it('suppressions last suppressSeconds from the false positive for each object of the event', () => {
    const s = suppressionsOf([{ trackId: 3, label: 'car', score: 0.8, box: KERB }], 1000, 300_000);
    expect(s).toEqual([{ trackId: 3, box: KERB, until: 301_000 }]);
  });

  it('says why an event ended: out of schedule, the vehicle gone from view, or the vehicle seen but no longer parked', () => {
    const state = parking();
    run(state, 0, 5, car(1));
    const [ep] = state.episodes;
    expect(endReason(state.settings, ep, { open: false, seen: new Set([1]) })).toMatch(/^the rule is out of schedule \(in force/);
    expect(endReason(state.settings, ep, { open: true, seen: new Set() })).toBe('the vehicle left (not seen for 10 s)');
    expect(endReason(state.settings, ep, { open: true, seen: new Set([1]) })).toBe('the vehicle is no longer stationary inside the zone');
  });
});

describe('lifecycle: an open event across a restart', () => {
  it('saved and taken back after 20 s down, it keeps its id and next seq, counts the downtime in its dwell, and its dispatch', () => {
    const state = parking();
    const [started] = run(state, 0, 30, car(1));
    const dispatchAt = T0 + 30_000;
    applyOperatorAction(state, started.eventId, 'dispatch', { wall: dispatchAt, mono: dispatchAt }, { by: 'op' });
    run(state, 31, 40, car(1));
    const [ep] = state.episodes;
    const saved = savedEventOf(state, ep, ep.event!);
    expect(saved).toMatchObject({ eventId: 'ev-1', nextSeq: 1, dwellMs: 40_000, dispatchedAgoMs: 10_000, remindInMs: 110_000 });

    const restartMono = 5000;
    const back = restoredEpisode(saved, restoreVerdict(saved, T0 + 60_000, 3_600_000), restartMono);
    expect(back.event).toMatchObject({ id: 'ev-1', seq: 1, startedAt: restartMono - 60_000 });
    expect(back.event!.dispatchedAt).toBe(restartMono - 20_000 - 10_000);
    expect(back.event!.remindAt).toBe(restartMono + 110_000);
    expect(back.region).toEqual(KERB);
  });
});
