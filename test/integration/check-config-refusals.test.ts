import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { projectRoot } from '../helpers/paths.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'jifang-check-'));
let n = 0;

function base(): Record<string, any> {
  return {
    site: { id: 'east-gate', name: 'East gate', timezone: 'Asia/Shanghai', location: { lat: 31.2304, lon: 121.4737 } },
    cameras: [
      {
        id: 'cam-1',
        url: 'rtsp://10.0.0.8:554/Streaming/Channels/102',
        analysis: { fps: 5, width: 640, height: 360 },
        zones: [
          {
            id: 'yard',
            polygon: [
              [0.1, 0.5],
              [0.9, 0.5],
              [0.9, 1],
              [0.1, 1],
            ],
            rules: [{ id: 'keep-out', type: 'intrusion' }],
          },
        ],
      },
    ],
  };
}

/** `jifang check-config FILE` as an installer runs it: exit code and both streams. */
async function checkConfig(
  cfg: unknown,
  text?: string | Buffer,
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = join(dir, `c${n++}.yaml`);
  writeFileSync(file, text ?? stringify(cfg));
  try {
    const { stdout, stderr } = await run(process.execPath, [join(projectRoot, 'bin', 'jifang.mjs'), 'check-config', file], {
      env: { ...process.env, JIFANG_TEST_UNSET: '', ...env },
    });
    return { code: 0, stdout: stdout.replaceAll(file, 'FILE'), stderr: stderr.replaceAll(file, 'FILE') };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout.replaceAll(file, 'FILE'), stderr: e.stderr.replaceAll(file, 'FILE') };
  }
}

describe('jifang check-config', { timeout: 180_000 }, () => {
  test('refuses what run refuses: a broker port out of range, self-intersecting zones and masks, 1e-300 fps', async () => {
    const cfg = base();
    cfg.mqtt = { url: 'mqtt://broker.example.org:99999' };
    cfg.cameras[0].zones[0].polygon = [
      [0.1, 0.5],
      [0.9, 1],
      [0.9, 0.5],
      [0.1, 1],
    ];
    cfg.cameras[0].privacyMasks = [
      [
        [0, 0],
        [1, 1],
        [1, 0],
        [0, 1],
      ],
    ];
    cfg.cameras[0].analysis.fps = 1e-300;
    const r = await checkConfig(cfg);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n').sort()).toEqual(
      [
        'FILE: mqtt.url: expected an MQTT URL with a host and a port 1–65535, like mqtt://host:1883, got "mqtt://broker.example.org:99999" (line 39, column 8)',
        'FILE: cameras[0].zones[0].polygon: edges points[0]–points[1] and points[2]–points[3] cross: expected a simple polygon, its points in order around the outline, got [[0.1,0.5],[0.9,1],[0.9,0.5],[0.1,1]] (line 18, column 11)',
        'FILE: cameras[0].privacyMasks[0]: edges points[0]–points[1] and points[2]–points[3] cross: expected a simple polygon, its points in order around the outline, got [[0,0],[1,1],[1,0],[0,1]] (line 30, column 9)',
        'FILE: cameras[0].analysis.fps: expected analysis.fps ≥ 0.01 (one frame every 100 s), got 1e-300 (line 12, column 12)',
      ].sort(),
    );
  });

  test('refuses an unset environment variable for the broker password, naming the field and not the value', async () => {
    const cfg = base();
    cfg.mqtt = { url: 'mqtts://broker.example.org:8883', password: { env: 'JIFANG_TEST_SURELY_UNSET' } };
    const r = await checkConfig(cfg);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('FILE: mqtt.password: environment variable JIFANG_TEST_SURELY_UNSET is not set\n');
  });

  test('a camera URL with a scheme typo or a raw "/" in its password is explained, the password in no output', async () => {
    const password = 'Gr33n/Tea@9';
    const cfg = base();
    cfg.cameras[0].url = 'analytics:${env:JIFANG_TEST_CAM_PASS}@10.0.0.8:554/ch1';
    cfg.cameras[0].evidenceUrl = `rtsp://admin:${password}@10.0.0.8:554/ch1`;
    const r = await checkConfig(cfg, undefined, { JIFANG_TEST_CAM_PASS: password });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).not.toContain('Gr33n');
    expect(r.stdout + r.stderr).not.toContain(encodeURIComponent(password));
    expect(r.stderr).toMatch(/cameras\[0\]\.url: "analytics:" is not a stream scheme .*got analytics:\*\*\*@10\.0\.0\.8:554\/ch1/);
    expect(r.stderr).toMatch(/cameras\[0\]\.evidenceUrl: .*raw "\/", "@".*"\/" as %2F, "@" as %40.*got rtsp:\/\/admin:\*\*\*@10\.0\.0\.8/);
  });

  test('refuses zones and masks without area, a device as camera url and topic words as ids, saying which and why', async () => {
    const cfg = base();
    cfg.site.id = 'metrics';
    cfg.cameras[0].id = 'status';
    cfg.cameras[0].url = '/dev/zero';
    cfg.cameras[0].zones[0].name = 'Yard';
    cfg.cameras[0].zones[0].polygon = [
      [0.1, 0.5],
      [0.5, 0.5],
      [0.9, 0.5],
    ];
    cfg.cameras[0].privacyMasks = [
      [
        [0, 0],
        [0.2, 0],
        [0.2, 0.2],
        [0.2, 0],
      ],
    ];
    const r = await checkConfig(cfg);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^FILE: site\.id: "metrics" is a word of the box's MQTT topics \(status, metrics, cmd, cmd-result, health, events, snapshot\)/,
        ),
        expect.stringMatching(/^FILE: cameras\[0\]\.id: "status" is a word of the box's MQTT topics/),
        expect.stringMatching(
          /^FILE: cameras\[0\]\.zones\[0\]\.polygon: zone "yard" \(Yard\): its points lie on one line, so it encloses no area/,
        ),
        expect.stringMatching(
          /^FILE: cameras\[0\]\.privacyMasks\[0\]: privacyMasks\[0\]: points\[1\] and points\[3\] are the same point \[0\.2, 0\]/,
        ),
      ]),
    );
    expect(lines).toHaveLength(4);
    // The ids are fine now: the device is refused by the next pass over the paths.
    cfg.site.id = 'east-gate';
    cfg.cameras[0].id = 'cam-1';
    cfg.cameras[0].zones[0].polygon = base().cameras[0].zones[0].polygon;
    cfg.cameras[0].privacyMasks = [];
    const device = await checkConfig(cfg);
    expect(device.code).toBe(1);
    expect(device.stderr).toBe(
      'FILE: cameras[0].url: /dev/zero is not a regular file (a device): expected a video file (.mp4, .mkv, .ts …), an image or a stream URL (rtsp://…)\n',
    );
  });

  test('refuses bytes that are not UTF-8, naming the line', async () => {
    const text = Buffer.from(stringify(base()).replace('name: East gate', 'name: EASTGATE'));
    // "东门" in GBK, as a config saved by a Chinese Windows editor would have it.
    const at = text.indexOf('EASTGATE');
    const gbk = Buffer.concat([text.subarray(0, at), Buffer.from([0xb6, 0xab, 0xc3, 0xc5]), text.subarray(at + 8)]);
    const line = text.subarray(0, at).toString('utf8').split('\n').length;
    const r = await checkConfig(undefined, gbk);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `FILE: line ${line}: not valid UTF-8: expected the config saved as UTF-8 text (re-save it as UTF-8, e.g. iconv -f GBK -t UTF-8)\n`,
    );
  });

  test('warns about a minScore below the tracker’s new-track score, and checks a calibration of 1000 surveyed points', async () => {
    const cfg = base();
    cfg.cameras[0].zones[0].rules[0].minScore = 0.3;
    // An affine ground: 20 px per metre across, 10 px per metre up the image, on a jittered 40 × 25 grid.
    cfg.cameras[0].calibration = {
      units: 'pixels',
      points: Array.from({ length: 1000 }, (_, i) => {
        const [x, y] = [10 + (i % 40) * 15.5 + (i % 7) * 0.3, 10 + Math.floor(i / 40) * 13.5 + (i % 5) * 0.3];
        return { pixel: [x, y], geo: { lat: 31.2304 + (360 - y) / 10 / 110_900, lon: 121.4737 + x / 20 / 95_200 } };
      }),
    };
    const r = await checkConfig(cfg);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^FILE: warning: cameras\[0\]\.zones\[0\]\.rules\[0\]\.minScore: 0\.3 is below the tracker's newTrackScore 0\.45: .*effective threshold is 0\.45/m,
    );
    expect(r.stdout).toMatch(
      /^FILE: cameras\[0\] cam-1: calibration from 1000 points: reprojection rms \d+\.\d\d m, max \d+\.\d\d m; leave-one-out max \d+\.\d\d m$/m,
    );
  });

  test('a plain config gets no warning', async () => {
    const r = await checkConfig(base());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^FILE: ok/m);
    expect(r.stdout).not.toMatch(/warning/);
  });
});
