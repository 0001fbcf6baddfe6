import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildAlert } from '../../../agent/src/alert/build.ts';
import { builtinCatalogue, loadCatalogue } from '../../../agent/src/catalogue/load.ts';
import { presetRule, serving } from '../../../agent/src/catalogue/serve.ts';
import { loadConfig } from '../../../agent/src/config/load.ts';
import { alertSchema } from '../../../agent/src/contract/alert.ts';
import { RULE_TYPES } from '../../../agent/src/contract/rule-types.ts';
import { ConfigError } from '../../../agent/src/core/errors.ts';
import { projectRoot } from '../../helpers/paths.ts';
import { camera, Sim } from '../rules/sim.ts';
import { box, det } from '../track/scene.ts';

const dir = mkdtempSync(join(tmpdir(), 'jifang-catalogue-'));
let n = 0;
function write(content: unknown, name = `f${n++}.yaml`): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : stringify(content));
  return file;
}

function config(rules: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    site: { id: 'xuhui', name: 'Xuhui', timezone: 'Asia/Shanghai', location: { lat: 31.19, lon: 121.43 }, divisionCode: '310104' },
    cameras: [
      {
        id: 'cam-1',
        url: 'rtsp://10.0.0.8/1',
        analysis: { fps: 2, width: 640, height: 360 },
        zones: [
          {
            id: 'z',
            polygon: [
              [0, 0.5],
              [1, 0.5],
              [1, 1],
              [0, 1],
            ],
            rules,
          },
        ],
      },
    ],
    ...extra,
  };
}

function problems(file: string): string[] {
  try {
    loadConfig(file);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message.split('\n');
  }
  return [];
}

describe('the event catalogue', () => {
  it('every preset loads and validates as its rule type, and every rule type reports a catalogue event', () => {
    const cat = builtinCatalogue();
    const withPreset = cat.events.filter((e) => e.preset);
    expect(withPreset.length).toBeGreaterThanOrEqual(18);
    for (const e of withPreset) expect(presetRule(e), e.id).toMatchObject({ type: e.preset!.type, event: e.id });
    for (const type of RULE_TYPES) expect(cat.eventOf({ type }).id).toBeTruthy();
    expect(cat.eventOf({ type: 'crowd' }).id).toBe('crowd_gathering');
    for (const id of [
      'street_vending',
      'out_of_shop_trading',
      'piled_materials',
      'exposed_garbage',
      'overflowing_bin',
      'clothes_hanging',
      'illegal_parking',
      'disorderly_bikes',
      'banner',
      'umbrella',
      'fire_lane_blocked',
      'road_obstruction',
      'crowd_gathering',
      'intrusion',
    ]) {
      expect(cat.get(id), id).toBeDefined();
    }
    expect(cat.get('street_vending')!.codes.gbt).toEqual({ code: '09006', source: 'gbt-table', checked: false });
    expect(cat.events.every((e) => Object.values(e.codes).every((c) => c!.checked === false))).toBe(true);
  });

  it("a config names a preset with overrides: the rule is the preset's type and defaults, the overrides on top", () => {
    const { config: cfg } = loadConfig(write(config([{ id: 'shopfront', preset: 'out_of_shop_trading', dwellSeconds: 120 }])));
    expect(cfg.cameras[0].zones[0].rules[0]).toMatchObject({
      type: 'street_vending',
      event: 'out_of_shop_trading',
      minPeople: 0,
      dwellSeconds: 120,
    });
  });

  it("an unknown preset, a parameter the preset's rule type lacks, and an unknown event id each say file, path, value and expected form", () => {
    const f1 = write(config([{ id: 'r', preset: 'street_vendor' }]));
    expect(problems(f1)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${f1}: cameras\\[0\\]\\.zones\\[0\\]\\.rules\\[0\\]\\.preset: unknown preset "street_vendor": expected one of street_vending, mobile_vendor, out_of_shop_trading, .*\\(jifang catalogue lists them\\)$`,
        ),
      ),
    ]);
    const f2 = write(config([{ id: 'r', preset: 'disorderly_bikes', minCount: 3 }]));
    expect(problems(f2)).toEqual([
      `${f2}: cameras[0].zones[0].rules[0].minCount: unknown field: preset "disorderly_bikes" is a illegal_parking rule, expected one of its parameters schedule, minScore, updateIntervalSeconds, endAfterSeconds, reminderSeconds, suppressSeconds, labels, dwellSeconds, warnAfterSeconds`,
    ]);
    const f3 = write(config([{ id: 'r', type: 'intrusion', event: 'graffiti' }]));
    expect(problems(f3)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${f3}: cameras\\[0\\]\\.zones\\[0\\]\\.rules\\[0\\]\\.event: unknown event type "graffiti": expected one of street_vending, `,
        ),
      ),
    ]);
    const f4 = write(config([{ id: 'r', preset: 'line_crossing' }]));
    expect(problems(f4)).toEqual([
      `${f4}: cameras[0].zones[0].rules[0].preset: event type "line_crossing" has no preset: expected a rule with a type and event: line_crossing (jifang catalogue lists the presets)`,
    ]);
  });

  it('a site file corrects a code and adds its own type with a preset; a bad entry names the site file and the field', () => {
    const site = write({
      schema: 'jifang.catalogue/1',
      version: 'xuhui-3',
      events: [
        { id: 'illegal_parking', codes: { gbt: { code: '09001', source: 'Xuhui platform handbook 2026' }, dahua: null } },
        {
          id: 'x_shared_bike_heap',
          name: { zh: '共享单车堆积', en: 'Heap of shared bikes' },
          preset: { type: 'crowd', params: { labels: ['bicycle'], minCount: 8 } },
        },
      ],
    });
    const cfgFile = write(
      config(
        [
          { id: 'p', type: 'illegal_parking' },
          { id: 'bikes', preset: 'x_shared_bike_heap' },
        ],
        { catalogue: site },
      ),
    );
    const { config: cfg, catalogue } = loadConfig(cfgFile);
    expect(catalogue.version).toBe('2026.12-1+xuhui-3');
    expect(catalogue.get('illegal_parking')!.codes).toEqual({
      gbt: { code: '09001', source: 'Xuhui platform handbook 2026', checked: false },
      legacy: { code: '04-09', source: 'city-legacy', checked: false },
    });
    expect(cfg.cameras[0].zones[0].rules[1]).toMatchObject({
      type: 'crowd',
      minCount: 8,
      labels: ['bicycle'],
      event: 'x_shared_bike_heap',
    });

    const bad = write({
      schema: 'jifang.catalogue/1',
      version: 'v1',
      events: [
        { id: 'graffiti', name: { zh: '涂鸦', en: 'Graffiti' } },
        { id: 'x_q', name: { zh: '排队', en: 'Queue' }, preset: { type: 'crowd', params: { minCount: 1 } } },
      ],
    });
    expect(() => loadCatalogue(bad)).toThrow(ConfigError);
    const lines = (() => {
      try {
        loadCatalogue(bad);
      } catch (err) {
        return (err as Error).message.split('\n');
      }
      return [];
    })();
    expect(lines).toEqual([
      `${bad}: events[0].id: no built-in event type "graffiti": expected one of street_vending, mobile_vendor, out_of_shop_trading, illegal_parking, disorderly_bikes, fire_lane_blocked, piled_materials, exposed_garbage, accumulated_muck, overflowing_bin, clothes_hanging, road_obstruction, door_front_dirty, umbrella, banner, outdoor_advertising, uncovered_muck_truck, crowd_gathering, intrusion, loitering, line_crossing, dirty_road to correct, or a new id starting with "x_"`,
      `${bad}: events (id x_q).preset.params.minCount: expected minCount ≥ 2 (a crowd rule)`,
    ]);
  });

  it("an alert carries the category in the standard's words and the 11-digit code made with the site's division code", () => {
    const sim = new Sim(
      camera([
        {
          id: 'z',
          polygon: [
            [0, 0.3],
            [1, 0.3],
            [1, 1],
            [0, 1],
          ],
          rules: [{ id: 'v', type: 'street_vending', event: 'out_of_shop_trading', minPeople: 0, dwellSeconds: 30 }],
        },
      ]),
    );
    sim.run(60, () => [det('umbrella', box(300, 150, 60, 40)), det('dining table', box(305, 200, 50, 30))]);
    const [u] = sim.updates;
    const ctx = {
      site: { id: 'xuhui', divisionCode: '310104' },
      camera: { id: 'cam1', location: { lat: 31.19, lon: 121.43 } },
      model: { name: 'm', sha256: 'a'.repeat(64) },
      agent: { version: '0', boxId: 'b' },
      frame: { width: 640, height: 360 },
    };
    const alert = buildAlert(u, ctx);
    expect(alert.category).toEqual({
      id: 'out_of_shop_trading',
      name: '店外经营',
      nameEn: 'Trading outside the shop',
      standard: 'GB/T 47678.5-2026',
      code: '09005',
      fullCode: '31010409005',
      legacyCode: '04-05',
      dahuaCode: '0x246',
      catalogueVersion: '2026.12-1',
    });
    expect(alertSchema.safeParse(alert).success).toBe(true);
    const noDivision = buildAlert(u, { ...ctx, site: { id: 'xuhui' } });
    expect(noDivision.category!.fullCode).toBeUndefined();
    expect(alertSchema.safeParse({ ...alert, category: { ...alert.category, id: 'graffiti' } }).success).toBe(false);
    expect(alertSchema.safeParse({ ...alert, category: { ...alert.category, id: 'x_graffiti' } }).success).toBe(true);
  });

  it('the published alert schema lists the event types, rule types and states', () => {
    const schema = readFileSync(join(projectRoot, 'schemas', 'jifang.event-1.schema.json'), 'utf8');
    const parsed = JSON.parse(schema);
    expect(parsed.properties.state.enum).toEqual(['started', 'updated', 'ended', 'cleared']);
    expect(parsed.properties.type.enum).toEqual([...RULE_TYPES]);
    expect(JSON.stringify(parsed.properties.category)).toContain('"enum":["street_vending","mobile_vendor","out_of_shop_trading"');
    expect(parsed.properties.phase.enum).toEqual(['warning', 'violation']);
  });

  it('which presets a model serves: the COCO model serves vending, parking, crowds and every model-free preset, not banners or full bins', () => {
    const coco = {
      name: 'coco',
      labels: new Set(
        readFileSync(join(projectRoot, 'models', 'coco-80.labels.txt'), 'utf8')
          .trim()
          .split('\n'),
      ),
    };
    const cat = builtinCatalogue();
    const served = (id: string) => serving(presetRule(cat.get(id)!)!, [coco]);
    expect(served('street_vending')).toMatchObject({ ok: true, modelFree: false });
    expect(served('piled_materials')).toMatchObject({ ok: true, modelFree: true });
    expect(served('banner')).toMatchObject({ ok: false, missing: [['banner']] });
    expect(served('overflowing_bin').ok).toBe(false);
    const site = { name: 'site-domain', labels: new Set(['banner', 'overflowing_bin']) };
    expect(serving(presetRule(cat.get('banner')!)!, [coco, site])).toEqual({
      ok: true,
      modelFree: false,
      models: ['site-domain'],
      missing: [],
    });
  });

  it('`jifang catalogue` on the demo config marks which presets the default model can serve', () => {
    const out = execFileSync(
      process.execPath,
      [join(projectRoot, 'bin', 'jifang.mjs'), 'catalogue', join(projectRoot, 'configs', 'demo.yaml')],
      { encoding: 'utf8' },
    );
    const line = (id: string) => out.split('\n').find((l) => l.startsWith(`${id} `)) ?? '';
    expect(out).toMatch(/served by picodet_s_416_coco/);
    expect(line('street_vending')).toMatch(/占道经营.*09006.*04-06.*street_vending dwellSeconds=300.*yes$/);
    expect(line('piled_materials')).toMatch(/06036.*static_object.*yes \(model-free\)$/);
    expect(line('banner')).toMatch(/0x23B BANNER_DETECTION.*no: no model knows banner$/);
    expect(line('dirty_road')).toMatch(/no preset/);
    expect(out).toMatch(/none was checked against the standard's/);
    expect(out).toMatch(/street-1\/pavement\/no-vending: street_vending → street_vending 占道经营 \(09006\): yes/);
  }, 60_000);
});
