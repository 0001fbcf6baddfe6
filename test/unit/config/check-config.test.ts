import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse, stringify } from 'yaml';
import { expandPresets } from '../../../agent/src/catalogue/expand.ts';
import { builtinCatalogue } from '../../../agent/src/catalogue/load.ts';
import { loadConfig } from '../../../agent/src/config/load.ts';
import { configSchema } from '../../../agent/src/config/schema.ts';
import { ConfigError } from '../../../agent/src/core/errors.ts';
import { projectRoot } from '../../helpers/paths.ts';

const dir = mkdtempSync(join(tmpdir(), 'jifang-config-'));

function base(): Record<string, any> {
  return {
    site: { id: 'east-gate', name: 'East gate', timezone: 'Asia/Shanghai', location: { lat: 31.2304, lon: 121.4737 } },
    cameras: [
      {
        id: 'cam-1',
        url: 'rtsp://admin:secret@10.0.0.8:554/Streaming/Channels/102',
        analysis: { fps: 5, width: 640, height: 360 },
        zones: [
          {
            id: 'no-parking',
            polygon: [
              [0.1, 0.5],
              [0.9, 0.5],
              [0.9, 1],
              [0.1, 1],
            ],
            rules: [{ id: 'parking', type: 'illegal_parking', dwellSeconds: 120 }],
          },
        ],
      },
    ],
  };
}

let n = 0;
function write(cfg: unknown, text?: string): string {
  const file = join(dir, `c${n++}.yaml`);
  writeFileSync(file, text ?? stringify(cfg));
  return file;
}

/** The printed problem lines of a config, `FILE: path: message` each. */
function problems(cfg: unknown, text?: string): string[] {
  const file = write(cfg, text);
  try {
    loadConfig(file);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message.split('\n').map((l) => l.replace(`${file}: `, ''));
  }
  return [];
}

describe('config validation', () => {
  test('a valid config loads with defaults filled in', () => {
    const { config } = loadConfig(write(base()));
    expect(config.cameras[0].rtspTransport).toBe('tcp');
    expect(config.cameras[0].zones[0].rules[0]).toMatchObject({ type: 'illegal_parking', dwellSeconds: 120, endAfterSeconds: 30 });
    expect(config.mqtt.url).toBeUndefined();
    expect(config.model.manifest).toMatch(/models\/picodet_s_416_coco\.json$/);
  });

  const mistakes: [string, (c: Record<string, any>) => void, string][] = [
    [
      'polygon with two points',
      (c) =>
        (c.cameras[0].zones[0].polygon = [
          [0, 0],
          [1, 1],
        ]),
      'cameras[0].zones[0].polygon: expected at least 3 points',
    ],
    [
      'unknown rule type',
      (c) => (c.cameras[0].zones[0].rules[0].type = 'parking'),
      'cameras[0].zones[0].rules[0].type: expected a rule type: illegal_parking, street_vending, intrusion, crowd, line_crossing, loitering or static_object (or a preset: jifang catalogue lists them)',
    ],
    [
      'misspelt field',
      (c) => (c.cameras[0].zones[0].rules[0].dwelSeconds = 3),
      'cameras[0].zones[0].rules[0].dwelSeconds: unknown field (check its spelling and indentation)',
    ],
    ['missing site timezone', (c) => delete c.site.timezone, 'site.timezone: required field is missing (expected a string)'],
    ['unknown time zone', (c) => (c.site.timezone = 'Beijing'), 'site.timezone: expected an IANA time zone such as "Asia/Shanghai"'],
    ['latitude out of range', (c) => (c.site.location.lat = 131.2), 'site.location.lat: expected latitude between -90 and 90'],
    [
      'camera id with spaces',
      (c) => (c.cameras[0].id = 'Cam 1'),
      'cameras[0].id: expected an id of lower-case letters, digits, "-" or "_" (max 63, starting with a letter or digit)',
    ],
    [
      'camera id that collides with the command topics',
      (c) => (c.cameras[0].id = 'cmd'),
      'cameras[0].id: "cmd" is a word of the box\'s MQTT topics (status, metrics, cmd, cmd-result, health, events, snapshot): expected another camera id',
    ],
    ...['status', 'metrics', 'cmd-result', 'health', 'events'].map((word): [string, (c: any) => void, string] => [
      `camera id "${word}", a topic word`,
      (c) => (c.cameras[0].id = word),
      `cameras[0].id: "${word}" is a word of the box's MQTT topics`,
    ]),
    [
      'site id that is a topic word',
      (c) => (c.site.id = 'status'),
      'site.id: "status" is a word of the box\'s MQTT topics (status, metrics, cmd, cmd-result, health, events, snapshot): expected another site id',
    ],
    [
      'zone whose points lie on one line',
      (c) =>
        (c.cameras[0].zones[0] = {
          ...c.cameras[0].zones[0],
          name: 'Kerb',
          polygon: [
            [0.1, 0.5],
            [0.5, 0.6],
            [0.9, 0.7],
          ],
        }),
      'cameras[0].zones[0].polygon: zone "no-parking" (Kerb): its points lie on one line, so it encloses no area',
    ],
    [
      'zone with a point given twice',
      (c) =>
        (c.cameras[0].zones[0].polygon = [
          [0.1, 0.5],
          [0.9, 0.5],
          [0.9, 1],
          [0.9, 0.5],
        ]),
      'cameras[0].zones[0].polygon: zone "no-parking": points[1] and points[3] are the same point [0.9, 0.5]: expected each corner once',
    ],
    [
      'privacy mask that encloses no area',
      (c) =>
        (c.cameras[0].privacyMasks = [
          [
            [0, 0],
            [0.5, 0],
            [1, 0],
          ],
        ]),
      'cameras[0].privacyMasks[0]: privacyMasks[0]: its points lie on one line, so it encloses no area',
    ],
    [
      'motion mask with a point given twice',
      (c) =>
        (c.cameras[0].motionMasks = [
          [
            [0, 0],
            [0, 0],
            [1, 1],
            [0, 1],
          ],
        ]),
      'cameras[0].motionMasks[0]: motionMasks[0]: points[0] and points[1] are the same point [0, 0]',
    ],
    [
      'camera url that is a device',
      (c) => (c.cameras[0].url = '/dev/zero'),
      'cameras[0].url: /dev/zero is not a regular file (a device): expected a video file',
    ],
    [
      'camera url that is a local file but no video',
      (c) => (c.cameras[0].url = '/etc/passwd'),
      'cameras[0].url: /etc/passwd is not a video or image file by its name',
    ],
    [
      'camera evidenceUrl that is a folder',
      (c) => (c.cameras[0].evidenceUrl = '/tmp'),
      'cameras[0].evidenceUrl: /tmp is not a regular file (a folder): expected a video file',
    ],
    ['duplicate camera id', (c) => c.cameras.push({ ...c.cameras[0] }), 'cameras[1].id: duplicate camera id "cam-1"'],
    [
      'analysis fps zero',
      (c) => (c.cameras[0].analysis.fps = 0),
      'cameras[0].analysis.fps: expected analysis.fps ≥ 0.01 (one frame every 100 s)',
    ],
    ['threads as text', (c) => (c.model = { intraOpThreads: 'two' }), 'model.intraOpThreads: expected a number, got "two"'],
    [
      'http broker url',
      (c) => (c.mqtt = { url: 'http://broker:1883' }),
      'mqtt.url: expected an MQTT URL like mqtt://host:1883 or mqtts://host:8883',
    ],
    [
      'MQTT version 3',
      (c) => (c.mqtt = { protocolVersion: 3 }),
      'mqtt.protocolVersion: expected protocolVersion 5 (MQTT 5) or 4 (MQTT 3.1.1)',
    ],
    [
      'normalised point outside the frame',
      (c) => (c.cameras[0].zones[0].polygon[1] = [1.5, 0.5]),
      'cameras[0].zones[0].polygon[1]: expected a point inside 0..1 (normalised; set units: pixels for pixel coordinates), got [1.5, 0.5]',
    ],
    [
      'pixel point outside the analysis frame',
      (c) =>
        Object.assign(c.cameras[0].zones[0], {
          units: 'pixels',
          polygon: [
            [0, 0],
            [700, 0],
            [0, 300],
          ],
        }),
      'cameras[0].zones[0].polygon[1]: expected a point inside the 640×360 analysis frame, got [700, 0]',
    ],
    [
      'crowd rule without minCount',
      (c) => (c.cameras[0].zones[0].rules[0] = { id: 'crowd', type: 'crowd' }),
      'cameras[0].zones[0].rules[0].minCount: required field is missing (expected a number)',
    ],
    [
      'schedule time not HH:MM',
      (c) => (c.cameras[0].zones[0].rules[0].schedule = [{ from: '7am', to: '20:00' }]),
      'cameras[0].zones[0].rules[0].schedule[0].from: expected a time of day "HH:MM" (00:00–24:00)',
    ],
    ['no cameras', (c) => (c.cameras = []), 'cameras: expected at least one camera'],
    [
      'video file that does not exist',
      (c) => (c.cameras[0].url = 'clips/missing.mp4'),
      `cameras[0].url: video/image file not found: clips/missing.mp4 (tried ${join(dir, 'clips/missing.mp4')} and ${join(projectRoot, 'clips/missing.mp4')})`,
    ],
    [
      'a negative delivered window',
      (c) => (c.mqtt = { outbox: { keepDeliveredHours: -1 } }),
      'mqtt.outbox.keepDeliveredHours: expected outbox.keepDeliveredHours ≥ 0 (0 keeps nothing once delivered)',
    ],
    [
      'a delivered window in words',
      (c) => (c.mqtt = { outbox: { keepDeliveredMegabytes: 'lots' } }),
      'mqtt.outbox.keepDeliveredMegabytes: expected outbox.keepDeliveredMegabytes, a number of megabytes ≥ 0',
    ],
    [
      'TLS without a broker url',
      (c) => (c.mqtt = { tls: { rejectUnauthorized: true } }),
      'mqtt.url: TLS or a password is configured but no broker url',
    ],
    [
      "the console's basemap from a tile file that is not there",
      (c) => (c.http = { port: 8781, console: { usersFile: 'users', map: { tilesFile: 'gone.pmtiles' } } }),
      `http.console.map.tilesFile: no file at ${join(dir, 'gone.pmtiles')}: expected a PMTiles or MBTiles file on this machine`,
    ],
    [
      "the console's basemap from a tile server and a tile file at once",
      (c) =>
        (c.http = {
          port: 8781,
          console: { usersFile: 'users', map: { tileUrl: 'https://t.city.example/{z}/{x}/{y}.png', tilesFile: 'x.mbtiles' } },
        }),
      'http.console.map.tilesFile: give http.console.map.tileUrl (a tile server) or http.console.map.tilesFile (a file on this machine), not both',
    ],
    [
      "the console's basemap as a URL without its placeholders",
      (c) => (c.http = { port: 8781, console: { usersFile: 'users', map: { tileUrl: 'https://t.city.example/tiles' } } }),
      'http.console.map.tileUrl: expected an http(s) URL with {z}, {x} and {y}',
    ],
  ];

  test.each(mistakes)('%s → its own precise message', (_name, mutate, expected) => {
    const cfg = base();
    mutate(cfg);
    const lines = problems(cfg);
    expect(lines).toHaveLength(1);
    expect(lines[0].startsWith(expected)).toBe(true);
  });

  test('several mistakes are all reported in one run, each prefixed with the file name', () => {
    const cfg = base();
    cfg.site.timezone = 'Nowhere';
    cfg.cameras[0].zones[0].polygon = [[0, 0]];
    cfg.cameras.push({ ...cfg.cameras[0], zones: [] });
    const file = write(cfg);
    expect(() => loadConfig(file)).toThrow(ConfigError);
    const lines = (() => {
      try {
        loadConfig(file);
        return [];
      } catch (err) {
        return (err as Error).message.split('\n');
      }
    })();
    expect(lines).toEqual([
      `${file}: site.timezone: expected an IANA time zone such as "Asia/Shanghai", got "Nowhere" (line 4, column 13)`,
      `${file}: cameras[0].zones[0].polygon: expected at least 3 points, got [[0,0]] (line 18, column 11)`,
      `${file}: cameras[1].id: duplicate camera id "cam-1" (line 24, column 9)`,
    ]);
  });

  test('the shipped example and demo configs are valid', () => {
    // Its files (/etc/jifang/…) exist only on a box: the schema alone, after its presets are expanded as loadConfig does.
    const raw = parse(readFileSync(join(projectRoot, 'configs', 'example.yaml'), 'utf8'));
    expect(expandPresets(raw, builtinCatalogue()).problems).toEqual([]);
    const example = configSchema.safeParse(raw);
    expect(example.success, JSON.stringify(example.error?.issues)).toBe(true);
    expect(loadConfig(join(projectRoot, 'configs', 'demo.yaml')).config.cameras[0].zones.map((z) => z.id)).toEqual(['kerb', 'pavement']);
  });

  test('camera credentials come from the environment or a file, URL-encoded, and a missing one is named', () => {
    const secretFile = join(dir, 'cam-password');
    writeFileSync(secretFile, 'p@ss/w:rd\n');
    const cfg = base();
    cfg.cameras[0].url = 'rtsp://admin:${file:cam-password}@10.0.0.8/Streaming/Channels/102';
    cfg.cameras[0].evidenceUrl = 'rtsp://admin:${env:JIFANG_TEST_UNSET_SECRET}@10.0.0.8/Streaming/Channels/101';
    expect(problems(cfg)).toEqual([
      'cameras[0].evidenceUrl: ${env:JIFANG_TEST_UNSET_SECRET}: environment variable JIFANG_TEST_UNSET_SECRET is not set',
    ]);
    delete cfg.cameras[0].evidenceUrl;
    expect(loadConfig(write(cfg)).config.cameras[0].url).toBe('rtsp://admin:p%40ss%2Fw%3Ard@10.0.0.8/Streaming/Channels/102');
  });

  test('YAML syntax errors give line and column', () => {
    const lines = problems(null, 'site:\n  id: x\n\tname: y\n');
    expect(lines).toEqual(['line 3, column 1: not valid YAML: Tabs are not allowed as indentation']);
  });

  test('a missing file is named', () => {
    expect(() => loadConfig(join(dir, 'nope.yaml'))).toThrow(/nope\.yaml: cannot read the config file \(ENOENT\)/);
  });
});
