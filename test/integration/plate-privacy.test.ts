import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Box, iou, type RgbImage } from '../../agent/src/core/geometry.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { detectorConfigSchema } from '../../agent/src/detect/config.ts';
import { detectorFamilies } from '../../agent/src/detect/decoders/index.ts';
import { createDetector } from '../../agent/src/detect/detector.ts';
import { readRgbImage } from '../../agent/src/detect/image-file.ts';
import type { Detection } from '../../agent/src/detect/types.ts';
import { evidenceConfigSchema } from '../../agent/src/evidence/config.ts';
import { type EvidenceCamera, EvidenceService } from '../../agent/src/evidence/service.ts';
import { loadModel } from '../../agent/src/model/load.ts';
import { loadPlateModels } from '../../agent/src/plate/models.ts';
import { createPlateReader, type PlateReader } from '../../agent/src/plate/reader.ts';
import { defaultManifest, sharedDir } from '../helpers/paths.ts';

/**
 * Bystanders' plates in stored evidence, with the real detector, the real plate detector and HyperLPR3's street
 * photo: the white car at the front right is the event vehicle, the white van behind the motorbike is a bystander
 * with a legible green plate.
 */
const photo = join(sharedDir, 'plates', 'hyperlpr-test_img.jpg');
// Measured by eye at 4× zoom (1920×1080): inside the plates' frames.
const EVENT_PLATE: Box = { x1: 1760, y1: 760, x2: 1860, y2: 845 };
const VAN_PLATE: Box = { x1: 283, y1: 411, x2: 329, y2: 426 };

async function decode(jpeg: Buffer): Promise<RgbImage> {
  const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

/** Mean absolute difference of two images over a region, per channel value. */
function meanDiff(a: RgbImage, b: RgbImage, r: Box): number {
  let sum = 0;
  let n = 0;
  for (let y = r.y1; y < r.y2; y++)
    for (let x = r.x1; x < r.x2; x++)
      for (let c = 0; c < 3; c++) {
        const i = (y * a.width + x) * 3 + c;
        sum += Math.abs(a.data[i] - b.data[i]);
        n++;
      }
  return sum / n;
}

/**
 * Mean variance of the luma inside 2×2 cells over a region: detail (characters) gives a high value; blocks of one
 * colour give almost none, wherever their grid lies (a cell straddles a block edge only at the edges).
 */
function cellVariance(img: RgbImage, r: Box): number {
  const luma = (x: number, y: number) => {
    const i = (y * img.width + x) * 3;
    return 0.299 * img.data[i] + 0.587 * img.data[i + 1] + 0.114 * img.data[i + 2];
  };
  const vars: number[] = [];
  for (let y = r.y1; y + 1 < r.y2; y += 2)
    for (let x = r.x1; x + 1 < r.x2; x += 2) {
      const v = [luma(x, y), luma(x + 1, y), luma(x, y + 1), luma(x + 1, y + 1)];
      const m = (v[0] + v[1] + v[2] + v[3]) / 4;
      vars.push(v.reduce((s, p) => s + (p - m) ** 2, 0) / 4);
    }
  // The median: the few cells that straddle a block edge do not count.
  return vars.sort((a, b) => a - b)[Math.floor(vars.length / 2)];
}

describe('bystanders’ plates pixelated in stored evidence (real detector, real plate detector, real photo)', () => {
  let dir: string;
  let reader: PlateReader;
  let source: RgbImage;
  let eventCar: Detection;
  let others: Detection[];
  const camera: EvidenceCamera = {
    id: 'kerb',
    url: photo,
    rtspTransport: 'tcp',
    timeoutSeconds: 5,
    inputOptions: [],
    loop: true,
    analysis: { fps: 1, width: 1920, height: 1080, resize: 'stretch' },
    privacyMasks: [],
    reconnect: { initialSeconds: 1, maxSeconds: 2 },
  };
  const open = (pixelate: object | undefined, plates = true) =>
    EvidenceService.open({
      config: evidenceConfigSchema.parse({ snapshotSource: 'analysis', clip: { enabled: false }, ...(pixelate && { pixelate }) }),
      dataDir: mkdtempSync(join(dir, 'run-')),
      cameras: [camera],
      timezone: 'Asia/Shanghai',
      log: silentLogger,
      ...(plates && { plates: reader }),
    });
  const snapshotOf = async (service: EvidenceService, eventId: string) => {
    const snap = await service.snapshot({
      eventId,
      camera: 'kerb',
      frame: source,
      at: Date.now(),
      objects: [{ box: eventCar.box, label: eventCar.label, score: eventCar.score, trackId: 1 }],
      others: others.map((d) => ({ box: d.box, label: d.label })),
    });
    // What is on disk is what was handed back.
    expect(readFileSync(snap.file.path).equals(snap.jpeg)).toBe(true);
    return decode(snap.jpeg);
  };
  const plateTexts = async (img: RgbImage, box: Box) => (await reader.read(img, box)).map((p) => p.text);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jifang-plate-privacy-'));
    const loaded = await loadPlateModels();
    if (!loaded.available) throw new Error(`plate models not provisioned: ${loaded.reason}`);
    reader = await createPlateReader(loaded.models, silentLogger);
    source = await readRgbImage(photo);
    const detector = await createDetector(await loadModel(detectorFamilies, defaultManifest), detectorConfigSchema.parse({}), silentLogger);
    const found = await detector.detect(source);
    eventCar = found.filter((d) => d.label === 'car').sort((a, b) => b.score - a.score)[0];
    // The event vehicle is the white car: its box holds the event plate.
    expect(eventCar.box.x1 < EVENT_PLATE.x1 && eventCar.box.x2 > EVENT_PLATE.x2).toBe(true);
    others = found.filter((d) => d !== eventCar);
    expect(others.some((d) => ['car', 'truck', 'bus'].includes(d.label) && iou(d.box, VAN_PLATE) > 0)).toBe(true);
    // In the source both plates are legible.
    expect(await plateTexts(source, eventCar.box)).toContain('苏ED51712');
    expect((await plateTexts(source, { x1: 200, y1: 330, x2: 480, y2: 480 })).some((t) => t.includes('DS32'))).toBe(true);
  }, 120_000);
  afterAll(async () => {
    await reader?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('pixelates the van’s plate and leaves the event car’s plate as in the source', async () => {
    const service = await open({ labels: [], plates: true });
    const snap = await snapshotOf(service, 'kerb-e1');
    // The event plate: the JPEG round trip only (mean difference of a few levels), and still read.
    expect(meanDiff(snap, source, EVENT_PLATE)).toBeLessThan(4);
    expect(await plateTexts(snap, eventCar.box)).toContain('苏ED51712');
    // The van's plate: flat blocks where the characters were, and no longer readable.
    const before = cellVariance(source, VAN_PLATE);
    const after = cellVariance(snap, VAN_PLATE);
    expect(before).toBeGreaterThan(40);
    expect(after).toBeLessThan(before / 10);
    expect((await plateTexts(snap, { x1: 200, y1: 330, x2: 480, y2: 480 })).some((t) => t.includes('DS3'))).toBe(false);
    // Away from plates the picture is the source's (the van's rear light above its plate).
    expect(meanDiff(snap, source, { x1: 250, y1: 330, x2: 300, y2: 390 })).toBeLessThan(4);
    await service.stop();
  }, 120_000);

  it('pixelates in the event’s clip the plates its snapshot pixelated, and leaves the event car’s plate legible', async () => {
    // The photo as a camera's stream: 8 s at 5 fps, looped.
    const video = join(dir, 'street.mp4');
    const made = spawnSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-loop',
      '1',
      '-i',
      photo,
      '-t',
      '8',
      '-r',
      '5',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-crf',
      '16',
      '-g',
      '5',
      '-pix_fmt',
      'yuv420p',
      video,
    ]);
    expect(made.status, made.stderr.toString()).toBe(0);
    const service = await EvidenceService.open({
      config: evidenceConfigSchema.parse({
        snapshotSource: 'analysis',
        pixelate: { labels: [], plates: true },
        clip: { preSeconds: 2, postSeconds: 1, encoder: ['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '16'] },
      }),
      dataDir: mkdtempSync(join(dir, 'run-')),
      // A separate evidence stream: its ring is recorded by its own ffmpeg (no analysis ffmpeg runs here).
      cameras: [{ ...camera, url: video, evidenceUrl: video }],
      timezone: 'Asia/Shanghai',
      log: silentLogger,
      plates: reader,
    });
    await service.start();
    try {
      await new Promise((r) => setTimeout(r, 3000));
      await snapshotOf(service, 'kerb-clip');
      const clip = await service.clip('kerb-clip', 'kerb', Date.now());
      const frame = spawnSync(
        'ffmpeg',
        ['-v', 'error', '-ss', '1', '-i', clip!.file.path, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
        {
          maxBuffer: 16 << 20,
        },
      );
      const img: RgbImage = { data: new Uint8Array(frame.stdout), width: 1920, height: 1080 };
      expect(img.data.length).toBe(1920 * 1080 * 3);
      // The van's plate: flat blocks, and no longer readable.
      expect(cellVariance(img, VAN_PLATE)).toBeLessThan(cellVariance(source, VAN_PLATE) / 10);
      expect((await plateTexts(img, { x1: 200, y1: 330, x2: 480, y2: 480 })).some((t) => t.includes('DS3'))).toBe(false);
      // The event car's plate: as in the source (two encodings), and still read.
      expect(meanDiff(img, source, EVENT_PLATE)).toBeLessThan(8);
      expect(await plateTexts(img, eventCar.box)).toContain('苏ED51712');
      expect(clip?.mode).toBe('masked');
    } finally {
      await service.stop();
    }
  }, 120_000);

  it('keeps the hard-negative frame’s bystander plates pixelated too', async () => {
    const service = await open({ labels: [], plates: true });
    const file = await service.hardNegative('kerb-e2', 'kerb', source, Date.now(), {
      objects: [{ box: eventCar.box, label: 'car', score: eventCar.score, trackId: 1 }],
      others: others.map((d) => ({ box: d.box, label: d.label })),
      model: { name: 'picodet', sha256: 'x' },
      by: 'tester',
    });
    const img = await decode(readFileSync(file.path));
    expect(cellVariance(img, VAN_PLATE)).toBeLessThan(cellVariance(source, VAN_PLATE) / 10);
    expect(meanDiff(img, source, EVENT_PLATE)).toBeLessThan(4);
    await service.stop();
  }, 120_000);

  it('without plates asked for, nothing is pixelated', async () => {
    for (const pixelate of [undefined, { labels: ['dog'] }]) {
      const service = await open(pixelate);
      const snap = await snapshotOf(service, `kerb-e3-${pixelate ? 'dog' : 'off'}`);
      expect(meanDiff(snap, source, VAN_PLATE)).toBeLessThan(6);
      expect(cellVariance(snap, VAN_PLATE)).toBeGreaterThan(cellVariance(source, VAN_PLATE) / 2);
      expect((await plateTexts(snap, { x1: 200, y1: 330, x2: 480, y2: 480 })).some((t) => t.includes('DS32'))).toBe(true);
      await service.stop();
    }
  }, 120_000);

  it('without the plate models, the other vehicles are pixelated whole and the event car is left alone', async () => {
    const service = await open({ labels: [], plates: true }, false);
    const snap = await snapshotOf(service, 'kerb-e4');
    expect(cellVariance(snap, VAN_PLATE)).toBeLessThan(cellVariance(source, VAN_PLATE) / 10);
    expect(meanDiff(snap, source, EVENT_PLATE)).toBeLessThan(4);
    await service.stop();
  }, 120_000);
});
