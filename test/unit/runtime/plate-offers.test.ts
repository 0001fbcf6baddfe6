import { describe, expect, it } from 'vitest';
import { cameraSchema } from '../../../agent/src/config/schema.ts';
import type { Box } from '../../../agent/src/core/geometry.ts';
import { plateZones, vehiclesToRead } from '../../../agent/src/runtime/plate-offers.ts';
import type { Track } from '../../../agent/src/track/types.ts';

const kerb: [number, number][] = [
  [0, 0.5],
  [0.5, 0.5],
  [0.5, 1],
  [0, 1],
];
const yard: [number, number][] = [
  [0.5, 0],
  [1, 0],
  [1, 1],
  [0.5, 1],
];
const camera = (plates?: object) =>
  cameraSchema.parse({
    id: 'cam',
    url: 'rtsp://cam/sub',
    analysis: { fps: 5, width: 640, height: 360 },
    zones: [
      { id: 'kerb', polygon: kerb, rules: [{ id: 'no-parking', type: 'illegal_parking' }] },
      { id: 'yard', polygon: yard, rules: [{ id: 'keep-out', type: 'intrusion', labels: ['person', 'car'] }] },
    ],
    ...(plates && { plates }),
  });
const track = (id: number, label: string, box: Box, over: Partial<Track> = {}): Track => ({
  id,
  label,
  classId: 0,
  state: 'tracked',
  carried: false,
  box,
  score: 0.9,
  meanScore: 0.9,
  firstSeen: 0,
  lastSeen: 10_000,
  lastDetected: 10_000,
  hits: 20,
  velocity: { x: 0, y: 0 },
  stationarySince: 0,
  moving: false,
  history: [],
  ...over,
});
// Bottom centres: (100, 340) in the kerb, (500, 340) in the yard.
const parkedCar = track(1, 'car', { x1: 50, y1: 250, x2: 150, y2: 340 });
const yardCar = track(2, 'car', { x1: 450, y1: 250, x2: 550, y2: 340 });
const yardPerson = track(3, 'person', { x1: 480, y1: 200, x2: 520, y2: 340 });
const justStopped = track(4, 'truck', { x1: 60, y1: 250, x2: 160, y2: 340 }, { stationarySince: 9_000 });
const all = [parkedCar, yardCar, yardPerson, justStopped];
const ids = (tracks: Track[]) => tracks.map((t) => t.id);

describe('which vehicles a camera reads plates of (cameras[].plates)', () => {
  it('by default: vehicles that have stood still 2 s in an illegal-parking zone', () => {
    const cam = camera();
    expect(cam.plates).toMatchObject({ enabled: true, rules: ['illegal_parking'], reads: 8, minConfidence: 0.5, source: 'evidence' });
    expect(ids(vehiclesToRead(all, plateZones(cam), cam.plates.stillSeconds * 1000, 10_000))).toEqual([1]);
    expect(ids(vehiclesToRead(all, plateZones(cam), 2000, 11_000))).toEqual([1, 4]);
  });

  it('other rule types when listed, their vehicles only (not the person the rule also watches)', () => {
    const cam = camera({ rules: ['illegal_parking', 'intrusion'] });
    expect(ids(vehiclesToRead(all, plateZones(cam), 2000, 10_000))).toEqual([1, 2]);
    expect(ids(vehiclesToRead(all, plateZones(camera({ rules: ['intrusion'] })), 2000, 10_000))).toEqual([2]);
  });

  it('stillSeconds 0 reads moving vehicles too; a lost track is never read', () => {
    const moving = track(5, 'car', parkedCar.box, { moving: true, stationarySince: 9_999 });
    const lost = track(6, 'car', parkedCar.box, { state: 'lost' });
    expect(ids(vehiclesToRead([moving, lost], plateZones(camera()), 0, 10_000))).toEqual([5]);
    expect(ids(vehiclesToRead([moving, lost], plateZones(camera()), 2000, 10_000))).toEqual([]);
  });

  it('enabled: false reads nothing', () => {
    expect(plateZones(camera({ enabled: false }))).toEqual([]);
  });

  it('a bad setting is refused with the field and what is expected', () => {
    const r = cameraSchema.safeParse({ id: 'cam', url: 'x', plates: { rules: ['parking'], minConfidence: 2 } });
    expect(r.success).toBe(false);
    const issues = r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues).toContainEqual(expect.stringMatching(/^plates\.rules\.0: expected a rule type: illegal_parking, /));
    expect(issues).toContainEqual(expect.stringMatching(/^plates\.minConfidence: .*1/));
  });
});
