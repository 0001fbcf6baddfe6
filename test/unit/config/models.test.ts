import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parse, stringify } from 'yaml';
import { labelProblems } from '../../../agent/src/config/label-check.ts';
import { loadConfig } from '../../../agent/src/config/load.ts';
import { cameraModels, configuredModels, verifyModels } from '../../../agent/src/config/models.ts';
import { ConfigError } from '../../../agent/src/core/errors.ts';
import { projectRoot } from '../../helpers/paths.ts';
import { writeStallModel } from '../../helpers/stall-model.ts';

const dir = mkdtempSync(join(tmpdir(), 'jifang-models-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const stalls = writeStallModel(dir, { box: { x1: 100, y1: 100, x2: 200, y2: 200 }, frame: { width: 640, height: 360 } });

const zone = (rules: object[]) => ({
  id: 'pavement',
  polygon: [
    [0.1, 0.5],
    [0.9, 0.5],
    [0.9, 1],
    [0.1, 1],
  ],
  rules,
});
const camera = (id: string, extra: object = {}) => ({
  id,
  url: 'rtsp://10.0.0.8:554/Streaming/Channels/102',
  analysis: { fps: 2, width: 640, height: 360 },
  zones: [zone([{ id: 'parking', type: 'illegal_parking', dwellSeconds: 120 }])],
  ...extra,
});
const site = { id: 'east-gate', name: 'East gate', timezone: 'Asia/Shanghai', location: { lat: 31.2304, lon: 121.4737 } };

let n = 0;
function write(cfg: unknown): string {
  const file = join(dir, `c${n++}.yaml`);
  writeFileSync(file, stringify(cfg));
  return file;
}

/** The printed problem lines, `path: message` each (file name and YAML position left out). */
function problems(cfg: unknown): string[] {
  const file = write(cfg);
  try {
    loadConfig(file);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message.split('\n').map((l) => l.replace(`${file}: `, '').replace(/ \(got .*$| \(line \d+.*$/, ''));
  }
  return [];
}

describe('more than one model per box: config', () => {
  test('a config without models: keeps working: every camera runs the default model (the one under model:) alone', () => {
    const { config } = loadConfig(write({ site, cameras: [camera('cam-1')] }));
    expect(config.models).toEqual({});
    expect(config.cameras[0].models).toEqual(['default']);
    expect(cameraModels(config, config.cameras[0]).map((m) => [m.name, m.path])).toEqual([['default', 'model']]);
  });

  test('a site detector under models: is resolved like model:, gets the detector defaults, and cameras choose their models', () => {
    const { config } = loadConfig(
      write({
        site,
        models: { stalls: { manifest: stalls, scoreThreshold: 0.5, labelMap: { stall: 'vending_stall' } } },
        cameras: [camera('cam-1', { models: ['default', 'stalls'] }), camera('cam-2', { models: ['stalls'] }), camera('cam-3')],
      }),
    );
    expect(config.models.stalls).toMatchObject({ manifest: stalls, scoreThreshold: 0.5, nmsIou: 0.5, thread: 'worker' });
    expect(configuredModels(config).map((m) => m.name)).toEqual(['default', 'stalls']);
    expect(config.cameras.map((c) => cameraModels(config, c).map((m) => m.name))).toEqual([['default', 'stalls'], ['stalls'], ['default']]);
  });

  test.each([
    [
      'an unknown model name on a camera',
      { models: { stalls: { manifest: stalls } }, cameras: [camera('cam-1', { models: ['default', 'stals'] })] },
      'cameras[0].models[1]: unknown model "stals": expected one of default, stalls (name others under models:)',
    ],
    [
      'a camera naming a model while none is configured besides the default',
      { cameras: [camera('cam-1', { models: ['stalls'] })] },
      'cameras[0].models[0]: unknown model "stalls": expected one of default (name others under models:)',
    ],
    [
      'a model listed twice',
      { models: { stalls: { manifest: stalls } }, cameras: [camera('cam-1', { models: ['stalls', 'stalls'] })] },
      'cameras[0].models[1]: model "stalls" is listed twice',
    ],
    [
      'an empty model list',
      { cameras: [camera('cam-1', { models: [] })] },
      'cameras[0].models: expected at least one model name, e.g. [default]',
    ],
    [
      'a named model called default',
      { models: { default: { manifest: stalls } }, cameras: [camera('cam-1')] },
      'models.default: "default" names the detector under model: expected another name for this one',
    ],
    [
      'a named model without its manifest',
      { models: { stalls: { scoreThreshold: 0.5 } }, cameras: [camera('cam-1')] },
      'models.stalls.manifest: required field is missing (expected a string)',
    ],
    [
      'a model name that is not an id',
      { models: { 'My Stalls': { manifest: stalls } }, cameras: [camera('cam-1')] },
      'models.My Stalls: expected a model name of lower-case letters, digits, "-" or "_" (max 63, starting with a letter or digit)',
    ],
    [
      "a named model's manifest that does not exist",
      { models: { stalls: { manifest: 'models/stalls.json' } }, cameras: [camera('cam-1', { models: ['default', 'stalls'] })] },
      'models.stalls.manifest: model manifest not found: models/stalls.json',
    ],
  ])('%s → a clear error with its path', (_what, cfg, want) => {
    const got = problems({ site, ...cfg });
    expect(
      got.some((l) => l.startsWith(want)),
      `${got.join('\n')}\n\nexpected a line starting with:\n${want}`,
    ).toBe(true);
  });
});

describe('more than one model per box: label checks use the union of the camera’s models', () => {
  const config = (labels: string[], models: string[], labelMap: Record<string, string> = {}) => {
    const raw = {
      site,
      models: { stalls: { manifest: stalls, labelMap } },
      cameras: [camera('cam-1', { models, zones: [zone([{ id: 'stall-here', type: 'intrusion', labels }])] })],
    };
    const file = write(raw);
    return { loaded: loadConfig(file), raw: parse(readFileSync(file, 'utf8')) };
  };
  const check = async (labels: string[], models: string[], labelMap?: Record<string, string>) => {
    const { loaded, raw } = config(labels, models, labelMap);
    return labelProblems(loaded.config, raw, await verifyModels(loaded.config)).map((p) => `${p.path}: ${p.message}`);
  };

  test('a rule on labels of both models (COCO person, the site model’s stall) passes on a camera running both', async () => {
    expect(await check(['person', 'stall'], ['default', 'stalls'])).toEqual([]);
  });

  test('the site model’s label on a camera that runs only the default model is refused, naming that model', async () => {
    const got = await check(['stall'], ['default']);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatch(/^cameras\[0\]\.zones\[0\]\.rules\[0\]\.labels\[0\]: "stall" is not a label picodet_s_416_coco produces: /);
  });

  test('a typo on a two-model camera names both models and suggests the label meant', async () => {
    expect(await check(['stal'], ['default', 'stalls'])).toEqual([
      'cameras[0].zones[0].rules[0].labels[0]: "stal" is not a label any of default (picodet_s_416_coco), stalls (tiny-stalls) produces: did you mean "stall"?',
    ]);
  });

  test('a label the site model’s labelMap renamed points at that model’s labelMap', async () => {
    expect(await check(['stall'], ['default', 'stalls'], { stall: 'vending_stall' })).toEqual([
      'cameras[0].zones[0].rules[0].labels[0]: "stall" is not a label any of default (picodet_s_416_coco), stalls (tiny-stalls) produces: models.stalls.labelMap renames it to "vending_stall"',
    ]);
    expect(await check(['vending_stall'], ['default', 'stalls'], { stall: 'vending_stall' })).toEqual([]);
  });
});

describe('more than one model per box: jifang catalogue CONFIG', () => {
  test('a preset no COCO class serves (banner) is served once a site model knows the label, per camera for the rules', () => {
    const signs = writeStallModel(dir, {
      box: { x1: 10, y1: 10, x2: 60, y2: 60 },
      frame: { width: 640, height: 360 },
      name: 'tiny-banners',
      label: 'banner',
    });
    const rule = { id: 'banner-here', type: 'intrusion', labels: ['banner'] };
    const file = write({
      site,
      models: { signs: { manifest: signs } },
      cameras: [camera('cam-1', { models: ['default', 'signs'], zones: [zone([rule])] }), camera('cam-2', { zones: [zone([rule])] })],
    });
    const out = execFileSync(process.execPath, [join(projectRoot, 'bin', 'jifang.mjs'), 'catalogue', file], { encoding: 'utf8' });
    const line = (start: string) => out.split('\n').find((l) => l.trimStart().startsWith(start)) ?? '';
    expect(out).toMatch(/served by default \(picodet_s_416_coco\), signs \(tiny-banners\)/);
    expect(line('banner ')).toMatch(/BANNER_DETECTION.*yes$/);
    expect(line('street_vending ')).toMatch(/yes$/);
    // The rules are judged against their own camera's models: only cam-1 runs the banner model.
    expect(line('cam-1/pavement/banner-here:')).toMatch(/: yes$/);
    expect(line('cam-2/pavement/banner-here:')).toMatch(/: no: no model knows banner$/);
  }, 60_000);
});
