import { describe, expect, it } from 'vitest';
import { type Config, configSchema } from '../../../agent/src/config/schema.ts';
import { planReload } from '../../../agent/src/runtime/reload-plan.ts';

const camera = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  url: `rtsp://127.0.0.1:8554/${id}`,
  zones: [
    {
      id: 'kerb',
      polygon: [
        [0, 0],
        [1, 0],
        [1, 1],
      ],
      rules: [{ id: 'park', type: 'illegal_parking', dwellSeconds: 120 }],
    },
  ],
  ...extra,
});
const config = (cameras: unknown[], extra: Record<string, unknown> = {}): Config =>
  configSchema.parse({ site: { id: 's', name: 'S', timezone: 'Asia/Shanghai', location: { lat: 31, lon: 121 } }, cameras, ...extra });

describe('planReload (what cmd/reload does to the running agent)', () => {
  it('restarts only the cameras whose settings changed and stops the removed ones', () => {
    const now = config([camera('a'), camera('b'), camera('c')]);
    const next = config([camera('a'), camera('b', { analysis: { fps: 2, width: 640, height: 360 } })]);
    const plan = planReload(now, next);
    expect(plan.ok && { removed: plan.removed, restarted: plan.restarted.map((c) => c.id) }).toEqual({ removed: ['c'], restarted: ['b'] });
  });

  it('changes nothing for an identical config', () => {
    const plan = planReload(config([camera('a')]), config([camera('a')]));
    expect(plan).toEqual({ ok: true, removed: [], restarted: [], reconfigured: [], masks: [] });
  });

  it("hands a camera's new privacy masks to evidence too, and to its running pipeline (masks from the next frame on)", () => {
    const cover = [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
    ];
    const plan = planReload(config([camera('a'), camera('b')]), config([camera('a', { privacyMasks: [cover] }), camera('b')]));
    expect(
      plan.ok && { restarted: plan.restarted.map((c) => c.id), reconfigured: plan.reconfigured.map((c) => c.id), masks: plan.masks },
    ).toEqual({
      restarted: [],
      reconfigured: ['a'],
      masks: [{ camera: 'a', privacyMasks: [cover] }],
    });
  });

  it('keeps the stream of a camera whose zones, rules or words changed (its rules keep what they know); restarts one whose stream or analysis changed', () => {
    const zones = camera('a').zones.map((z) => ({ ...z, rules: [{ id: 'park', type: 'illegal_parking', dwellSeconds: 60 }] }));
    const plan = planReload(
      config([camera('a'), camera('b'), camera('c')]),
      config([camera('a', { zones, name: '北向' }), camera('b', { url: 'rtsp://127.0.0.1:8554/other' }), camera('c')]),
    );
    expect(plan.ok && { restarted: plan.restarted.map((c) => c.id), reconfigured: plan.reconfigured.map((c) => c.id) }).toEqual({
      restarted: ['b'],
      reconfigured: ['a'],
    });
  });

  it('refuses a change of a restart-only section and names it', () => {
    const plan = planReload(config([camera('a')]), config([camera('a')], { dataDir: 'elsewhere', logLevel: 'debug' }));
    expect(plan).toEqual({ ok: false, error: 'changes to dataDir, logLevel need a restart of the agent; the running config is kept' });
  });

  it('refuses a new camera (its evidence ring is set up at start)', () => {
    const plan = planReload(config([camera('a')]), config([camera('a'), camera('d')]));
    expect(plan.ok).toBe(false);
    expect(!plan.ok && plan.error).toMatch(/^new cameras \(d\) need a restart/);
  });
});
