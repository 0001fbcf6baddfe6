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
