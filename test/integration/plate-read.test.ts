import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Box, iou } from '../../agent/src/core/geometry.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { readRgbImage } from '../../agent/src/detect/image-file.ts';
import { colourShares } from '../../agent/src/plate/colour.ts';
import { checkPlateGrammar } from '../../agent/src/plate/grammar.ts';
import { loadPlateModels } from '../../agent/src/plate/models.ts';
import { createPlateReader, type PlateReader } from '../../agent/src/plate/reader.ts';
import { votePlate } from '../../agent/src/plate/vote.ts';
import { sharedDir } from '../helpers/paths.ts';

const plates = join(sharedDir, 'plates');
const crops = readdirSync(plates).filter((f) => f.startsWith('plate-crop-'));
if (crops.length !== 4) throw new Error(`expected the four plate crops in ${plates}, found ${crops.length}`);
/** The crops' background colours, seen on the pictures. */
const CROP_COLOURS: Record<string, string> = { 冀D5L690: 'yellow', 津B6H920: 'blue', 皖KD01833: 'green', 蒙B023H6: 'blue' };
const truth = (file: string) => file.replace(/^plate-crop-/, '').replace(/\.jpg$/, '');

// Measured by eye on hyperlpr-test_img.jpg (1920×1080) at 4× zoom: the white car's green plate, front right,
// inside its black frame; corners top-left, top-right, bottom-right, bottom-left.
const GREEN_PLATE: Box = { x1: 1752, y1: 745, x2: 1866, y2: 858 };
const GREEN_CORNERS = [
  [1757, 787],
  [1860, 752],
  [1859, 812],
  [1757, 853],
] as const;
// The bay's other cars face away or sideways; the truck in hyperlpr-1.jpg (320×320) has its yellow plate here.
const TRUCK_PLATE: Box = { x1: 150, y1: 212, x2: 181, y2: 233 };

describe('plate reading with the real models (HyperLPR3 detector, PP-OCRv4 recogniser)', () => {
  let reader: PlateReader;
  beforeAll(async () => {
    const loaded = await loadPlateModels();
    if (!loaded.available) throw new Error(`plate models not provisioned: ${loaded.reason}`);
    reader = await createPlateReader(loaded.models, silentLogger);
  }, 120_000);
  afterAll(async () => reader?.close());

  it.each(crops)('reads %s exactly', async (file) => {
    const read = await reader.readCrop(await readRgbImage(join(plates, file)));
    expect(read.text).toBe(truth(file));
    expect(read.grammar.valid).toBe(true);
    expect(read.confidence).toBeGreaterThan(0.5);
  });

  it('gives each crop its background colour', async () => {
    const colours: Record<string, string> = {};
    for (const file of crops) colours[truth(file)] = (await reader.readCrop(await readRgbImage(join(plates, file)))).colour;
    expect(colours).toEqual(CROP_COLOURS);
  });

  // The colour is decided from two sources; each is checked on its own on the real crops and the street photo's plate.
  // White and black plates have no real sample here: they are not tested rather than made up.
  it('the colour classifier alone gives each real plate its colour, with confidence', async () => {
    const answers: Record<string, string> = {};
    for (const file of crops) {
      const read = await reader.readCrop(await readRgbImage(join(plates, file)));
      expect(read.classifier, file).toBeDefined();
      expect(read.classifier!.p, file).toBeGreaterThan(0.6);
      answers[truth(file)] = read.classifier!.colour;
    }
    const street = (await reader.read(await readRgbImage(join(plates, 'hyperlpr-test_img.jpg')))).find(
      (p) => iou(p.box, GREEN_PLATE) > 0.6,
    );
    answers[street!.text] = street!.classifier!.colour;
    expect(answers).toEqual({ ...CROP_COLOURS, 苏ED51712: 'green' });
  });

  it('the pixels alone (hue shares) name the same colour as the strongest share', async () => {
    for (const file of crops) {
      const shares = colourShares(await readRgbImage(join(plates, file)));
      const strongest = (['blue', 'yellow', 'green'] as const).reduce((a, b) => (shares[b] > shares[a] ? b : a));
      expect([file, strongest]).toEqual([
        file,
        { 冀D5L690: 'yellow', 津B6H920: 'blue', 皖KD01833: 'green', 蒙B023H6: 'blue' }[truth(file)],
      ]);
    }
  });

  it('finds and reads the white car’s green new-energy plate in the street photo', async () => {
    const image = await readRgbImage(join(plates, 'hyperlpr-test_img.jpg'));
    const found = await reader.read(image);
    const plate = found.find((p) => iou(p.box, GREEN_PLATE) > 0.6);
    expect(plate, `plates found: ${JSON.stringify(found.map((p) => [p.text, p.box]))}`).toBeDefined();
    plate!.corners.forEach(([x, y], i) => {
      expect(Math.abs(x - GREEN_CORNERS[i][0]), `corner ${i} x`).toBeLessThan(20);
      expect(Math.abs(y - GREEN_CORNERS[i][1]), `corner ${i} y`).toBeLessThan(12);
    });
    expect(plate!.rows).toBe(1);
    expect(plate!.text).toBe('苏ED51712');
    expect(plate!.colour).toBe('green');
    expect(plate!.grammar).toEqual({ valid: true, kind: 'new-energy' });
    for (const other of found.filter((p) => p !== plate && p.grammar.valid)) expect(checkPlateGrammar(other.text).valid).toBe(true);
  });

  it('reads the same plate inside the vehicle’s box only, in image coordinates', async () => {
    const image = await readRgbImage(join(plates, 'hyperlpr-test_img.jpg'));
    const found = await reader.read(image, { x1: 1180, y1: 330, x2: 1900, y2: 1000 });
    expect(found.map((p) => p.text)).toContain('苏ED51712');
    expect(iou(found.find((p) => p.text === '苏ED51712')!.box, GREEN_PLATE)).toBeGreaterThan(0.6);
    expect(await reader.read(image, { x1: 0, y1: 0, x2: 600, y2: 300 })).toEqual([]);
  });

  it('finds the truck’s double-row yellow plate but does not make up the characters it cannot resolve', async () => {
    const image = await readRgbImage(join(plates, 'hyperlpr-1.jpg'));
    const found = await reader.read(image);
    const plate = found.find((p) => iou(p.box, TRUCK_PLATE) > 0.4);
    expect(plate, JSON.stringify(found.map((p) => p.box))).toBeDefined();
    expect(plate!.rows).toBe(2);
    expect(plate!.colour).toBe('yellow');
    // 22 × 13 pixels: the upper row (province, office letter) is a smudge. Saying so beats a guessed province.
    expect(plate!.grammar.valid).toBe(false);
    expect(plate!.confidence).toBe(0);
    expect(votePlate([plate!])).toMatchObject({ readable: false, seen: 1 });
  });

  it('several frames of the same plate vote to one answer with every read counted', async () => {
    const image = await readRgbImage(join(plates, 'hyperlpr-test_img.jpg'));
    const reads = [];
    for (const box of [
      { x1: 1180, y1: 330, x2: 1900, y2: 1000 },
      { x1: 1500, y1: 600, x2: 1920, y2: 1000 },
      { x1: 1000, y1: 200, x2: 1920, y2: 1080 },
    ]) {
      reads.push(...(await reader.read(image, box)));
    }
    const vote = votePlate(reads.map((r) => ({ text: r.text, charProbs: r.charProbs, colour: r.colour, rows: r.rows })));
    expect(vote).toMatchObject({ readable: true, plate: { text: '苏ED51712', colour: 'green', rows: 1, reads: 3 } });
  });
});
