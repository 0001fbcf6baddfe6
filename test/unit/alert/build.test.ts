import { describe, expect, it } from 'vitest';
import { type AlertContext, buildAlert } from '../../../agent/src/alert/build.ts';
import { formatAlertLine } from '../../../agent/src/alert/console-line.ts';
import { alertSchema } from '../../../agent/src/contract/alert.ts';
import { FAINT_TRACK_ID_BASE } from '../../../agent/src/contract/track-id.ts';
import { createGeoMapper } from '../../../agent/src/geo/mapper.ts';
import type { ViolationUpdate } from '../../../agent/src/rules/types.ts';
import { camera, Sim } from '../rules/sim.ts';
import { box, det } from '../track/scene.ts';

/** The frame shows a 64 m × 36 m patch of ground from straight above: 10 px per metre, north up. */
const calibration = {
  units: 'normalized' as const,
  points: [
    { pixel: [0, 0] as [number, number], geo: { lat: 31.2304 + 36 / 111_195, lon: 121.4737 } },
    {
      pixel: [1, 0] as [number, number],
      geo: { lat: 31.2304 + 36 / 111_195, lon: 121.4737 + 64 / (111_195 * Math.cos((31.2304 * Math.PI) / 180)) },
    },
    { pixel: [1, 1] as [number, number], geo: { lat: 31.2304, lon: 121.4737 + 64 / (111_195 * Math.cos((31.2304 * Math.PI) / 180)) } },
    { pixel: [0, 1] as [number, number], geo: { lat: 31.2304, lon: 121.4737 } },
  ],
};

const frame = { width: 640, height: 360 };
const baseCtx: AlertContext = {
  site: { id: 'xuhui-01' },
  camera: { id: 'cam1', name: 'Gate camera', location: { lat: 31.23, lon: 121.47 }, address: 'No. 5 Main St' },
  model: { name: 'picodet_s_416_coco', sha256: 'cdab77bdde16e4f76bec734c4e5791801d1739e4c7ec1995e0e110e04300d0c2' },
  agent: { version: '0.1.0', boxId: 'box-7' },
  frame,
};

function parkedCarUpdates(): ViolationUpdate[] {
  const sim = new Sim(
    camera([
      {
        id: 'kerb',
        name: 'Kerb',
        polygon: [
          [0, 0.5],
          [1, 0.5],
          [1, 1],
          [0, 1],
        ],
        rules: [{ id: 'no-parking', type: 'illegal_parking', dwellSeconds: 30, endAfterSeconds: 5 }],
      },
    ]),
  );
  // The car's bottom centre is at pixel (160, 280): 16 m east, 8 m north of the frame's bottom-left corner.
  sim.run(40, () => [det('car', box(100, 220, 120, 60), 0.87)]);
  sim.run(10, () => []);
  return sim.updates;
}

describe('buildAlert', () => {
  it('builds a valid jifang.event/1 alert located at the object’s ground contact', () => {
    const [started] = parkedCarUpdates();
    const alert = buildAlert(started, { ...baseCtx, geo: createGeoMapper(calibration, frame) });
    expect(alertSchema.safeParse(alert).success).toBe(true);
    expect(alert).toMatchObject({
      schema: 'jifang.event/1',
      id: started.eventId,
      seq: 0,
      type: 'illegal_parking',
      state: 'started',
      site: 'xuhui-01',
      camera: 'cam1',
      cameraName: 'Gate camera',
      zone: 'kerb',
      zoneName: 'Kerb',
      locationSource: 'calibrated',
      address: 'No. 5 Main St',
      model: baseCtx.model,
      agent: baseCtx.agent,
      rule: { id: 'no-parking', type: 'illegal_parking', parameters: { dwellSeconds: 30, labels: ['car', 'truck', 'bus', 'motorcycle'] } },
    });
    expect(alert.rule.description).toMatch(/stationary inside the zone for at least 30 s/);
    expect(alert.dwellSeconds).toBeGreaterThanOrEqual(30);
    expect(alert.objects).toEqual([
      {
        label: 'car',
        score: 0.87,
        trackId: expect.any(Number),
        box: { x: 0.1563, y: 0.6111, width: 0.1875, height: 0.1667 },
        geo: alert.location,
      },
    ]);
    const [lon, lat] = alert.location.coordinates;
    const east = (lon - 121.4737) * 111_195 * Math.cos((31.2304 * Math.PI) / 180);
    const north = (lat - 31.2304) * 111_195;
    expect(Math.hypot(east - 16, north - 8)).toBeLessThan(0.05);
    expect(Date.parse(alert.observedAt) - Date.parse(alert.startedAt)).toBe(alert.dwellSeconds * 1000);
  });

  it('falls back to the camera position when the camera is uncalibrated, and says so', () => {
    const updates = parkedCarUpdates();
    const ended = buildAlert(updates[updates.length - 1], baseCtx);
    expect(alertSchema.safeParse(ended).success).toBe(true);
    expect(ended.state).toBe('ended');
    expect(ended.locationSource).toBe('camera');
    expect(ended.location.coordinates).toEqual([121.47, 31.23]);
    expect(ended.objects[0].geo).toBeUndefined();
    expect(ended.reason).toMatch(/left/);
    expect(ended.endedAt).toBeDefined();
  });

  it('carries the evidence and the operator action it is given', () => {
    const [started] = parkedCarUpdates();
    const evidence = {
      snapshot: { sha256: 'a'.repeat(64), bytes: 1234, width: 640, height: 360, topic: 'jifang/v1/xuhui-01/cam1/events/x/snapshot' },
    };
    const alert = buildAlert(
      { ...started, operator: { action: 'dispatch', by: 'op-3', at: started.observedAt, unit: 'patrol-2' } },
      { ...baseCtx, evidence },
    );
    expect(alert.evidence).toEqual(evidence);
    expect(alert.operator).toEqual({ action: 'dispatch', by: 'op-3', at: new Date(started.observedAt).toISOString(), unit: 'patrol-2' });
  });
});

describe('formatAlertLine', () => {
  it('shows time, state, event category (id and 中文 name) then rule type, camera/zone, dwell, objects with scores, location and id on one line', () => {
    const [started] = parkedCarUpdates();
    const line = formatAlertLine(buildAlert(started, { ...baseCtx, geo: createGeoMapper(calibration, frame) }));
    expect(line).not.toContain('\n');
    expect(line).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z STARTED illegal_parking 机动车乱停放 \(rule illegal_parking\) cam1 \(Gate camera\)\/kerb \(Kerb\) dwell \d+ s: car 0\.87 #\d+ at 31\.23\d{5},121\.47\d{5} \(calibrated, No\. 5 Main St\) id cam1-\S+ #0$/,
    );
  });

  it('speaks the event, not the rule: a static_object rule filed as piled_materials shows 乱堆物堆料 first', () => {
    const [started] = parkedCarUpdates();
    const rule = { id: 'piles', type: 'static_object', event: 'piled_materials', dwellSeconds: 600 } as unknown as ViolationUpdate['rule'];
    const alert = buildAlert({ ...started, rule }, baseCtx);
    expect(alert.category).toMatchObject({ id: 'piled_materials', name: '乱堆物堆料', code: '06036' });
    expect(formatAlertLine(alert)).toContain(' STARTED piled_materials 乱堆物堆料 (rule static_object) cam1 ');
  });

  it('names goods found from faint detections as faint, not by a track number nobody can follow', () => {
    const [started] = parkedCarUpdates();
    const alert = buildAlert(started, baseCtx);
    const faint = { ...alert.objects[0], label: 'umbrella', score: 0.31, trackId: -(FAINT_TRACK_ID_BASE + 3) };
    const line = formatAlertLine({ ...alert, objects: [alert.objects[0], faint] });
    expect(line).toMatch(/: car 0\.87 #\d+, umbrella 0\.31 \(faint\) at /);
    expect(line).not.toContain(String(faint.trackId));
  });

  it('falls back to the rule type alone for an alert without a category', () => {
    const [started] = parkedCarUpdates();
    const { category: _, ...bare } = buildAlert(started, baseCtx);
    expect(formatAlertLine(bare)).toContain(' STARTED illegal_parking cam1 ');
  });

  it('shows the reason of an ended event and the camera-position fallback', () => {
    const updates = parkedCarUpdates();
    const line = formatAlertLine(buildAlert(updates[updates.length - 1], baseCtx));
    expect(line).toContain(' ENDED ');
    expect(line).toContain('(camera position, No. 5 Main St)');
    expect(line).toMatch(/— the vehicle left/);
  });

  it('escapes control characters, so an operator’s name with a line break cannot print a forged alert line', () => {
    const updates = parkedCarUpdates();
    const last = updates[updates.length - 1];
    const forged = '2025-05-06T02:03:05.000Z STARTED illegal_parking cam1/kerb';
    const alert = buildAlert(
      { ...last, reason: 'resolved by op\nX', operator: { action: 'resolve', by: `op\n${forged}\u001b[2J\u202e`, at: last.observedAt } },
      baseCtx,
    );
    const line = formatAlertLine(alert);
    expect(line.split('\n')).toHaveLength(1);
    expect(line).not.toMatch(/[\u0000-\u001f\u202e]/);
    expect(line).toContain(`[resolve by op\\n${forged}\\u001b[2J\\u202e]`);
    expect(line).toContain('— resolved by op\\nX');
  });

  it('shows the plate of a vehicle that has one, and the alert carries it on that object', () => {
    const [started] = parkedCarUpdates();
    const trackId = started.objects[0].trackId;
    const plate = { text: '苏ED51712', colour: 'green' as const, rows: 1 as const, confidence: 0.83, reads: 3 };
    const alert = buildAlert(started, { ...baseCtx, plates: new Map([[trackId, plate]]) });
    expect(alert.objects[0].plate).toEqual(plate);
    expect(formatAlertLine(alert)).toMatch(new RegExp(`: car 0\\.87 #${trackId} 苏ED51712 green at `));
    expect(buildAlert(started, { ...baseCtx, plates: new Map([[trackId + 1, plate]]) }).objects[0].plate).toBeUndefined();
    const red = alertSchema.safeParse({ ...alert, objects: [{ ...alert.objects[0], plate: { ...plate, colour: 'red' } }] });
    expect(red.error?.issues).toEqual([
      expect.objectContaining({
        path: ['objects', 0, 'plate', 'colour'],
        message: 'Invalid option: expected one of "blue"|"yellow"|"green"|"white"|"black"',
      }),
    ]);
  });
});
