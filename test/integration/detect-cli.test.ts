import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCommand } from '../../agent/src/cli/command.ts';
import { command as detectCommand } from '../../agent/src/cli/detect-command.ts';
import { sample } from '../helpers/paths.ts';

let out = '';
let err = '';
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'jifang-detect-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<number> {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    return await runCommand('detect', detectCommand, argv, { out: process.stdout, err: process.stderr });
  } finally {
    vi.restoreAllMocks();
  }
}
afterEach(() => vi.restoreAllMocks());

describe('jifang detect', () => {
  it('prints each detection with label, score and pixel box', async () => {
    expect(await run(sample('bus.jpg'))).toBe(0);
    expect(err).toBe('');
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/bus\.jpg 810×1080: \d+ detection\(s\), 1 inference\(s\), \d+ ms$/);
    expect(lines.some((l) => /^\s+bus\s+0\.\d\d\s+\[\d+, \d+, \d+, \d+\]$/.test(l))).toBe(true);
    expect(lines.filter((l) => /^\s+person\s/.test(l)).length).toBeGreaterThanOrEqual(3);
  });

  it('prints JSON with the windows run and one inference time per pass', async () => {
    expect(await run(sample('street.png'), '--json', '--threshold', '0.3', '--windows', '823,249,618,416')).toBe(0);
    const [doc] = JSON.parse(out) as {
      width: number;
      windows: unknown[];
      detections: { label: string; box: { x1: number } }[];
      timings: { inferenceMs: number[] };
    }[];
    expect(doc.width).toBe(1441);
    expect(doc.windows).toEqual([{ x: 823, y: 249, width: 618, height: 416 }]);
    expect(doc.timings.inferenceMs).toHaveLength(2);
    expect(doc.detections.some((d) => d.label === 'umbrella' && d.box.x1 > 1000)).toBe(true);
  });

  it('writes an annotated image of the same size with the boxes drawn', async () => {
    const file = join(dir, 'dog.jpg');
    expect(await run(sample('dog.jpg'), '--out', file)).toBe(0);
    const meta = await sharp(file).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 768, 576]);
    // The dog's box edge (x ≈ 130, y 300) is drawn in the box colour (red), where the photo has the dog's dark fur.
    const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    const px = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3));
    const edge = [128, 129, 130, 131, 132].map((x) => px(x, 300)).find(([r, g, b]) => r > 150 && r > 2 * g && r > 2 * b);
    expect(edge, `no red box edge near x = 130: ${JSON.stringify([128, 129, 130, 131, 132].map((x) => px(x, 300)))}`).toBeDefined();
  });

  it('writes one annotated file per image into a folder when given several images', async () => {
    const folder = join(dir, 'many');
    expect(await run(sample('bus.jpg'), sample('dog.jpg'), '--out', folder)).toBe(0);
    expect(readdirSync(folder).sort()).toEqual(['bus.detect.jpg', 'dog.detect.jpg']);
  });

  it('rejects a malformed window with the expected form (exit 2)', async () => {
    expect(await run(sample('bus.jpg'), '--windows', '10,10,300')).toBe(2);
    expect(err).toContain('--windows "10,10,300": expected X,Y,WIDTH,HEIGHT in whole image pixels');
  });

  it('rejects a window outside the image (exit 1)', async () => {
    expect(await run(sample('dog.jpg'), '--windows', '700,0,416,416')).toBe(1);
    expect(err).toContain('window 0 {x: 700, y: 0, width: 416, height: 416}: expected whole pixels inside the 768×576 image');
  });

  it('names an image it cannot read (exit 1)', async () => {
    expect(await run(join(dir, 'nope.jpg'))).toBe(1);
    expect(err).toContain(`${join(dir, 'nope.jpg')}: cannot read the image`);
  });

  it('rejects a threshold outside 0..1 and a missing image argument (exit 2)', async () => {
    expect(await run(sample('bus.jpg'), '--threshold', '40')).toBe(2);
    expect(err).toContain('--threshold 40: expected a number from 0 to 1');
    expect(await run()).toBe(2);
    expect(err).toContain('expected at least one IMAGE');
  });
});
