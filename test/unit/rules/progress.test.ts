import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../agent/src/core/log.ts';
import { zoneSchema } from '../../../agent/src/rules/config.ts';
import { createCameraRules } from '../../../agent/src/rules/engine.ts';
import type { Track } from '../../../agent/src/track/types.ts';

const zone = zoneSchema.parse({
  id: 'kerb',
  units: 'pixels',
  polygon: [
    [0, 0],
    [100, 0],
    [100, 100],
    [0, 100],
  ],
  rules: [{ id: 'no-parking', type: 'illegal_parking', dwellSeconds: 30 }],
});

function car(id: number, at: number, since: number): Track {
  const box = { x1: 40, y1: 40, x2: 60, y2: 60 };
  return {
    id,
    label: 'car',
    classId: 2,
    state: 'tracked',
    box,
    score: 0.9,
    meanScore: 0.9,
    firstSeen: since,
    lastSeen: at,
    hits: 10,
    velocity: { x: 0, y: 0 },
    stationarySince: since,
    moving: false,
    carried: false,
    lastDetected: at,
    history: [],
  };
}

describe('rules progress (what the console shows live)', () => {
  it('lists the vehicle being timed before its event starts, then with its event id', () => {
    const rules = createCameraRules(
      { id: 'cam', analysis: { width: 100, height: 100 }, privacyMasks: [], zones: [zone] },
      { timezone: 'UTC' },
      { logger: silentLogger },
    );
    const t0 = 1_000_000;
    expect(rules.progress()).toEqual([
      { zone: { id: 'kerb' }, rule: { id: 'no-parking', type: 'illegal_parking' }, dwellSeconds: 30, open: true, followed: [] },
    ]);
    for (let s = 0; s <= 20; s += 1) rules.evaluate([car(12, t0 + s * 1000, t0)], { wall: t0 + s * 1000, mono: t0 + s * 1000 });
    const [p] = rules.progress();
    expect(p.followed).toHaveLength(1);
    expect(p.followed[0]).toMatchObject({
      objects: [expect.objectContaining({ trackId: 12, label: 'car' })],
      since: t0,
      observedAt: t0 + 20_000,
    });
    expect(p.followed[0].eventId).toBeUndefined();
    for (let s = 21; s <= 35; s += 1) rules.evaluate([car(12, t0 + s * 1000, t0)], { wall: t0 + s * 1000, mono: t0 + s * 1000 });
    const [q] = rules.progress();
    expect(q.followed[0].eventId).toBe(rules.activeEvents()[0].eventId);
    expect((q.followed[0].observedAt - q.followed[0].since) / 1000).toBe(35);
  });
});
