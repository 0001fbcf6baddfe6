import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCommand } from '../../agent/src/cli/command.ts';
import { command as plateCommand } from '../../agent/src/cli/plate-command.ts';
import { sharedDir } from '../helpers/paths.ts';

const plates = join(sharedDir, 'plates');
let out = '';
let err = '';
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'jifang-plate-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<number> {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    return await runCommand('plate', plateCommand, argv, { out: process.stdout, err: process.stderr });
  } finally {
    vi.restoreAllMocks();
  }
}
afterEach(() => vi.restoreAllMocks());

describe('jifang plate', () => {
  it('prints each plate with text, colour, rows, confidence and box', async () => {
    expect(await run(join(plates, 'hyperlpr-test_img.jpg'))).toBe(0);
    expect(err).toBe('');
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/hyperlpr-test_img\.jpg 1920×1080: 1 plate\(s\), \d+ ms$/);
    expect(lines[1]).toMatch(/^\s+苏ED51712\s+green\s+single\s+0\.\d\d\s+\[17\d\d, 7\d\d, 18\d\d, 8\d\d\]$/);
  });

  it('says a plate it cannot read is unreadable, and why', async () => {
    expect(await run(join(plates, 'hyperlpr-1.jpg'))).toBe(0);
    expect(out).toMatch(/\(unreadable: .*expected 7/);
    expect(out).toMatch(/yellow double\s+0\.00/);
  });

  it('reads plate crops with --crop and prints JSON', async () => {
    expect(await run('--crop', '--json', join(plates, 'plate-crop-津B6H920.jpg'), join(plates, 'plate-crop-皖KD01833.jpg'))).toBe(0);
    const docs = JSON.parse(out) as { plates: { text: string; valid: boolean; kind: string; colour: string; corners: number[][] }[] }[];
    expect(docs.map((d) => d.plates.map((p) => [p.text, p.valid, p.kind, p.colour]))).toEqual([
      [['津B6H920', true, 'standard', 'blue']],
      [['皖KD01833', true, 'new-energy', 'green']],
    ]);
    expect(docs[0].plates[0].corners).toEqual([
      [0, 0],
      [104, 0],
      [104, 54],
      [0, 54],
    ]);
  });

  it('writes the image with the plate outlined', async () => {
    const file = join(dir, 'street.jpg');
    expect(await run(join(plates, 'hyperlpr-test_img.jpg'), '--out', file)).toBe(0);
    const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([1920, 1080]);
    // The outline's left edge runs down x ≈ 1757 between the plate's left corners (y 787..853), drawn in cyan
    // where the photo has the plate's black frame and green face.
    const cyan = [1753, 1755, 1757, 1759, 1761].some((x) => {
      const o = (820 * info.width + x) * 3;
      return data[o] < 90 && data[o + 1] > 170 && data[o + 2] > 170;
    });
    expect(cyan).toBe(true);
  });

  it('bad usage exits 2 with the usage text; an unreadable file exits 1 naming it', async () => {
    expect(await run()).toBe(2);
    expect(err).toContain('expected at least one IMAGE');
    expect(await run(join(dir, 'missing.jpg'))).toBe(1);
    expect(err).toMatch(/missing\.jpg: cannot read the image/);
  });
});
