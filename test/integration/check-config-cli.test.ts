import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { projectRoot } from '../helpers/paths.ts';

/** `jifang check-config` as an installer runs it: the real binary, the real model manifest and labels. */
let dir: string;

function checkConfig(file: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(
      process.execPath,
      [join(projectRoot, 'bin', 'jifang.mjs'), 'check-config', file],
      { cwd: tmpdir(), env: { ...process.env, ...env }, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    ),
  );
}

function config(rules: object[], model: object = {}) {
  return {
    site: { id: 'labels', name: 'Labels', timezone: 'Asia/Shanghai', location: { lat: 31.23, lon: 121.47 } },
    model,
    cameras: [
      {
        id: 'cam-1',
        url: 'rtsp://127.0.0.1:8554/x',
        zones: [
          {
            id: 'kerb',
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
  };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'jifang-check-config-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('jifang check-config', { timeout: 240_000 }, () => {
  it('rejects a rule label the model cannot produce, suggesting the label meant (exit 1)', async () => {
    const file = join(dir, 'typo.yaml');
    writeFileSync(
      file,
      stringify(
        config([
          { id: 'p', type: 'illegal_parking', labels: ['car', 'bsu'] },
          { id: 's', type: 'street_vending', personLabels: ['persn'] },
        ]),
      ),
    );
    const r = await checkConfig(file);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      `${file}: cameras[0].zones[0].rules[0].labels[1]: "bsu" is not a label picodet_s_416_coco produces: did you mean "bus"?`,
      `${file}: cameras[0].zones[0].rules[1].personLabels[0]: "persn" is not a label picodet_s_416_coco produces: did you mean "person"?`,
    ]);
  });

  it('rejects labels the label map renamed, given or by default (exit 1), and accepts the mapped names', async () => {
    const labelMap = { car: 'vehicle', truck: 'vehicle', bus: 'vehicle' };
    const renamed = join(dir, 'renamed.yaml');
    writeFileSync(
      renamed,
      stringify(
        config(
          [
            { id: 'p', type: 'illegal_parking', labels: ['car'] },
            { id: 'q', type: 'illegal_parking' },
          ],
          { labelMap },
        ),
      ),
    );
    const r = await checkConfig(renamed);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      `${renamed}: cameras[0].zones[0].rules[0].labels[0]: "car" is not a label picodet_s_416_coco produces: model.labelMap renames it to "vehicle"`,
      `${renamed}: cameras[0].zones[0].rules[1].labels: the default labels "car", "truck", "bus" are not produced by picodet_s_416_coco once model.labelMap renames them: give labels explicitly, e.g. [vehicle, motorcycle]`,
    ]);
    const fixed = join(dir, 'fixed.yaml');
    writeFileSync(fixed, stringify(config([{ id: 'p', type: 'illegal_parking', labels: ['vehicle', 'motorcycle'] }], { labelMap })));
    const ok = await checkConfig(fixed);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
  });

  it('shows a wrong type with its value, line and column (exit 1)', async () => {
    const file = join(dir, 'type.yaml');
    writeFileSync(file, stringify(config([{ id: 'p', type: 'illegal_parking', dwellSeconds: '3 minutes' }])));
    const r = await checkConfig(file);
    expect(r.code).toBe(1);
    const lines = readFileSync(file, 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes('dwellSeconds')) + 1;
    const column = lines[line - 1].indexOf('3 minutes') + 1;
    expect(r.stderr).toBe(
      `${file}: cameras[0].zones[0].rules[0].dwellSeconds: expected dwellSeconds in seconds (number), got "3 minutes" (line ${line}, column ${column})\n`,
    );
  });

  it('accepts configs/example.yaml copied to another folder (as /etc/jifang/config.yaml): the model is found in the project', async () => {
    const etc = join(dir, 'etc', 'jifang');
    mkdirSync(join(etc, 'tls'), { recursive: true });
    mkdirSync(join(etc, 'secrets'), { recursive: true });
    for (const f of ['tls/ca.crt', 'tls/box.crt', 'tls/box.key', 'secrets/mqtt-password']) writeFileSync(join(etc, f), 'placeholder\n');
    // The example names its secrets under /etc/jifang: the same files in this test's folder.
    const text = readFileSync(join(projectRoot, 'configs', 'example.yaml'), 'utf8').replaceAll('/etc/jifang/', `${etc}/`);
    const file = join(etc, 'config.yaml');
    writeFileSync(file, text);
    const r = await checkConfig(file, { JIFANG_CAMERA_PASSWORD: 'not-the-real-one' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ok \\(site xuhui-tianyaoqiao-01, 2 camera\\(s\\), \\d+ zone\\(s\\), \\d+ rule\\(s\\); model picodet_s_416_coco cdab77bdde16… verified\\)$`,
      ),
    );
  });

  it('warns where a detection window or a mask makes no sense, naming the field, and still accepts the file (exit 0)', async () => {
    const square = (x1: number, y1: number, x2: number, y2: number) => [
      [x1, y1],
      [x2, y1],
      [x2, y2],
      [x1, y2],
    ];
    const gated = config([{ id: 'p', type: 'illegal_parking' }]);
    Object.assign(gated.cameras[0], {
      analysis: { fps: 5, width: 640, height: 360 },
      windows: [
        { x: 10, y: 10, width: 60, height: 40 },
        { x: 0, y: 0, width: 640, height: 360 },
        { x: 200, y: 100, width: 416, height: 240 },
      ],
      // The clock overlay and the trees, but drawn over the kerb zone (the lower half) as well; one drawn as a sliver.
      motionMasks: [square(0, 0.45, 1, 1), square(0.5, 0.2, 0.502, 0.203)],
    });
    const gatedFile = join(dir, 'gated.yaml');
    writeFileSync(gatedFile, stringify(gated));
    let r = await checkConfig(gatedFile);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.includes(': warning: '))).toEqual([
      `${gatedFile}: warning: cameras[0].windows[0]: 60×40 px is magnified more than 4× to the model's 416×416 input: the model sees blur and objects cut at its edges; make it at least 104×104, or use the model's input size`,
      `${gatedFile}: warning: cameras[0].windows[1]: 640×360 px shows the model no more detail than the whole-frame pass (640×360): one more inference per frame for nothing; make it smaller (the model's 416×416 input size sees most detail) or remove it`,
      `${gatedFile}: warning: cameras[0].windows: detection.mode is motion: these windows are not run every frame, only when motion or a moving track is in them (and the whole frame every 30 s); set detection.mode: every_frame to run them on every frame`,
      `${gatedFile}: warning: cameras[0].motionMasks[1]: covers no cell of the 213×120 motion grid (no cell centre inside it): it has no effect; check its points (normalised 0..1, in order around the area)`,
      `${gatedFile}: warning: cameras[0].zones[0].polygon: zone "kerb" lies wholly under motionMasks: nothing moving in it starts a detection region, so in motion mode objects in it are seen only by the whole-frame pass every 30 s; shrink the masks off the zone or set detection.mode: every_frame`,
    ]);

    // The same masks in every_frame mode do not matter to detection; a privacy mask over the zone always does.
    const blacked = config([{ id: 'p', type: 'illegal_parking' }]);
    Object.assign(blacked.cameras[0], {
      detection: { mode: 'every_frame' },
      privacyMasks: [square(0, 0.4, 1, 1)],
      motionMasks: [square(0, 0, 1, 0.4)],
    });
    const blackedFile = join(dir, 'blacked.yaml');
    writeFileSync(blackedFile, stringify(blacked));
    r = await checkConfig(blackedFile);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.includes(': warning: '))).toEqual([
      `${blackedFile}: warning: cameras[0].zones[0].polygon: zone "kerb" lies wholly under privacyMasks[0]: it is blacked out before analysis, so nothing in it is ever detected and its rules never fire; move the mask off the zone or remove the zone`,
    ]);

    // Masks over the whole picture in motion mode: nothing can ever move.
    const still = config([{ id: 'p', type: 'illegal_parking' }]);
    Object.assign(still.cameras[0], { motionMasks: [square(0, 0, 1, 0.6), square(0, 0.5, 1, 1)] });
    const stillFile = join(dir, 'still.yaml');
    writeFileSync(stillFile, stringify(still));
    r = await checkConfig(stillFile);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.includes(': warning: '))).toEqual([
      `${stillFile}: warning: cameras[0].motionMasks: the masks cover the whole frame: no motion can be seen anywhere, so in motion mode objects are detected only by the whole-frame pass every 30 s; remove masks or set detection.mode: every_frame`,
    ]);
  });

  it('names every path it tried for a model manifest it cannot find (exit 1)', async () => {
    const file = join(dir, 'nomodel.yaml');
    writeFileSync(file, stringify(config([{ id: 'p', type: 'illegal_parking' }], { manifest: 'models/yolo-nano.json' })));
    const r = await checkConfig(file);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `${file}: model.manifest: model manifest not found: models/yolo-nano.json (tried ${join(dir, 'models/yolo-nano.json')} and ${join(projectRoot, 'models/yolo-nano.json')})\n`,
    );
  });
});
