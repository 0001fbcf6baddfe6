import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { type Alert, alertSchema } from '../../agent/src/contract/alert.ts';
import { ctcDecode, parseDictionary, recInput } from '../../agent/src/plate/ctc.ts';
import { loadPlateModels } from '../../agent/src/plate/models.ts';
import { type AgentProcess, runAgent } from '../helpers/agent-process.ts';
import type { Received } from '../helpers/mqtt-subscriber.ts';
import { defaultManifest, sharedDir } from '../helpers/paths.ts';
import { freePort } from '../helpers/ports.ts';
import { useStage } from '../helpers/stage.ts';

/**
 * The agent as a user runs it, over a real RTSP server and mosquitto: HyperLPR3's street photo looped as a camera,
 * an illegal_parking zone under the white car with the green plate; after 25 s the car is painted over (it leaves).
 * The plate is read while the car dwells, so the alert that starts the event already carries it.
 */
const site = 'plate-site';
const KERB: [number, number][] = [
  [900, 850],
  [1920, 850],
  [1920, 1080],
  [900, 1080],
];
const json = (m: Received) => JSON.parse(m.payload.toString()) as unknown;

describe('plates on illegal-parking alerts, end to end', () => {
  const stage = useStage({
    prefix: 'jifang-plate-e2e',
    // 5 s with the car and 5 s without, each encoded once, then copied end to end (25 s parked, 20 s gone): encoding
    // 45 s of 1080p takes minutes on a loaded machine, copying takes none.
    streams: (dir) => {
      const clip = join(dir, 'white-car.mp4');
      const part = (name: string, filter: string) => {
        const out = join(dir, `${name}.mp4`);
        execFileSync('ffmpeg', [
          ...['-hide_banner', '-loglevel', 'error', '-loop', '1', '-framerate', '5', '-t', '5'],
          ...['-i', join(sharedDir, 'plates', 'hyperlpr-test_img.jpg'), '-vf', filter],
          ...['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'stillimage', '-crf', '18', '-g', '10', '-pix_fmt', 'yuv420p', '-y', out],
        ]);
        return out;
      };
      const parked = part('parked', 'null');
      const gone = part('gone', 'drawbox=x=560:y=320:w=1360:h=700:color=gray:t=fill');
      const list = join(dir, 'parts.txt');
      writeFileSync(list, [...Array(5).fill(parked), ...Array(4).fill(gone)].map((f) => `file '${f}'`).join('\n'));
      execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', '-y', clip]);
      return { '/kerb': clip };
    },
    topic: `jifang/v1/${site}/#`,
    setupTimeoutMs: 240_000,
  });
  let agent: AgentProcess | undefined;
  afterAll(async () => {
    await agent?.stop('SIGKILL');
  });

  it('the alert carries the plate, the console line and the snapshot show it, the metrics count the reading', async () => {
    const runDir = mkdtempSync(join(stage.dir, 'run-'));
    const httpPort = await freePort();
    agent = runAgent(runDir, {
      site: { id: site, name: 'Plates', timezone: 'Asia/Shanghai', location: { lat: 22.54, lon: 114.05 }, boxId: 'plate-box' },
      mqtt: { url: stage.broker.url, healthIntervalSeconds: 2 },
      model: { manifest: defaultManifest },
      dataDir: join(runDir, 'data'),
      evidence: { clip: { enabled: false } },
      http: { port: httpPort },
      cameras: [
        {
          id: 'kerb-cam',
          url: stage.rtsp.url('/kerb'),
          analysis: { fps: 2, width: 1920, height: 1080 },
          windows: 'none',
          zones: [
            {
              id: 'kerb',
              units: 'pixels',
              polygon: KERB,
              rules: [{ id: 'no-parking', type: 'illegal_parking', dwellSeconds: 8, endAfterSeconds: 4 }],
            },
          ],
        },
      ],
    });
    const topic = `jifang/v1/${site}/kerb-cam/events`;
    const [startedMsg] = await stage.sub
      .waitFor((m) => m.topic === topic && (json(m) as Alert).state === 'started', 1, 90_000)
      .catch((err: Error) => {
        throw new Error(`${err.message}\nagent stderr:\n${agent!.stderr()}`);
      });
    const started = alertSchema.parse(json(startedMsg));
    expect(started.objects).toHaveLength(1);
    expect(
      started.objects[0].plate,
      agent
        .stderr()
        .split('\n')
        .filter((l) => /plate/.test(l))
        .join('\n'),
    ).toMatchObject({ text: '苏ED51712', colour: 'green', rows: 1 });
    expect(started.objects[0].plate!.reads).toBeGreaterThanOrEqual(1);
    expect(agent.lines.some((l) => l.includes('STARTED illegal_parking') && l.includes('苏ED51712 green'))).toBe(true);

    // The snapshot prints the plate in the car's label, legibly: the text recogniser reads the label line back.
    const [snap] = await stage.sub.waitFor((m) => m.topic === started.evidence.snapshot!.topic, 1, 10_000);
    const { box } = started.objects[0];
    const { data, info } = await sharp(snap.payload).raw().toBuffer({ resolveWithObject: true });
    const labelTop = Math.round(box.y * info.height) - 48;
    const left = Math.round(box.x * info.width);
    const label = await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } })
      .extract({ left, top: labelTop, width: Math.min(760, info.width - left), height: 48 })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const loaded = await loadPlateModels();
    if (!loaded.available) throw new Error(loaded.reason);
    const rec = await ort.InferenceSession.create(loaded.models.recogniser.modelPath, { logSeverityLevel: 3 });
    const input = recInput({ data: new Uint8Array(label.data), width: label.info.width, height: label.info.height }, 48, 48, 1600);
    const out = await rec.run({ [rec.inputNames[0]]: new ort.Tensor('float32', input.data, [1, 3, input.height, input.width]) });
    const probs = out[rec.outputNames[0]];
    const dictionary = parseDictionary(readFileSync(loaded.models.recogniser.dictionaryPath!, 'utf8'), 'dictionary');
    const read = ctcDecode(probs.data as Float32Array, probs.dims[1], probs.dims[2], dictionary);
    await rec.release();
    expect(read.text).toContain('苏ED51712');

    // The car leaves: the ended message names the same plate, voted over the reads of the dwell.
    const [endedMsg] = await stage.sub.waitFor((m) => m.topic === topic && (json(m) as Alert).state === 'ended', 1, 60_000);
    const ended = alertSchema.parse(json(endedMsg));
    expect(ended.id).toBe(started.id);
    expect(ended.objects[0].plate).toMatchObject({ text: '苏ED51712', colour: 'green' });
    expect(agent.stderr()).not.toMatch(/plate reading off/);
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    expect(Number(/^jifang_plate_vehicles_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    expect(Number(/^jifang_plate_found_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    expect(Number(/^jifang_plate_read_seconds_total ([\d.e-]+)/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    expect(await agent.stop('SIGTERM')).toBe(0);
    agent = undefined;
  }, 240_000);
});
