import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { problemMessage } from '../../../agent/src/console/client/problem-words.ts';
import { applyCameraEdit, editableCamera } from '../../../agent/src/console/config-edit.ts';
import { sha256Hex } from '../../../agent/src/core/hash.ts';
import { lineDiff, saveConfigText } from '../../../agent/src/web/yaml-edit.ts';
import { projectRoot } from '../../helpers/paths.ts';

const file = join(projectRoot, 'configs', 'demo.yaml');
const text = readFileSync(file, 'utf8');

describe('console config edits', () => {
  it('changes only what was edited: comments, layout and untouched zones stay byte for byte', () => {
    const cam = editableCamera(text, 'street-1')!;
    const zones = structuredClone(cam.camera.zones) as { id: string; polygon: number[][] }[];
    zones[0].polygon[0] = [160, 600];
    const r = applyCameraEdit(text, file, cam.index, {
      baseSha256: sha256Hex(text),
      zones,
      privacyMasks: cam.camera.privacyMasks as unknown[],
      calibration: cam.camera.calibration,
    });
    expect(r.problems).toEqual([]);
    expect(r.warnings).toEqual([]);
    const changed = r.diff.split('\n').filter((l) => l.startsWith('+') || l.startsWith('-'));
    expect(changed).toEqual([
      '-              polygon: [[150, 595], [430, 595], [430, 690], [150, 690]]',
      '+   56         polygon: [[160, 600], [430, 595], [430, 690], [150, 690]]',
    ]);
    expect(r.text.replace('[[160, 600], [430, 595]', '[[150, 595], [430, 595]')).toBe(text);
  });

  it('reports a bad edit with the words check-config prints, naming the file and the field', () => {
    const cam = editableCamera(text, 'street-1')!;
    const zones = [
      ...(cam.camera.zones as unknown[]),
      {
        id: 'kerb',
        units: 'pixels',
        polygon: [
          [1, 2],
          [3, 4],
        ],
        rules: [],
      },
    ];
    const r = applyCameraEdit(text, file, cam.index, { baseSha256: sha256Hex(text), zones, privacyMasks: [], calibration: null });
    expect(r.problems.map((p) => p.text)).toEqual([
      `${file}: cameras[0].zones[2].polygon: expected at least 3 points, got [[1,2],[3,4]] (line 64, column 18)`,
      `${file}: cameras[0].zones[2].rules: expected at least one rule in the zone, got [] (line 65, column 16)`,
      `${file}: cameras[0].zones[2].id: duplicate zone id "kerb" (line 62, column 13)`,
    ]);
    expect(r.text).not.toContain('calibration:');
    expect(r.text).not.toContain('privacyMasks:\n      - [[0.0');
  });

  it("gives zod's own messages in the page's language: one outside the console's table is Chinese too", () => {
    const cam = editableCamera(text, 'street-1')!;
    const zones = structuredClone(cam.camera.zones) as Record<string, unknown>[];
    zones[0].name = 42;
    const edit = { baseSha256: sha256Hex(text), zones, privacyMasks: cam.camera.privacyMasks as unknown[] };
    const zh = applyCameraEdit(text, file, cam.index, edit, 'zh').problems;
    expect(zh.map((p) => [p.path, problemMessage(p.message, 'zh')])).toEqual([['cameras[0].zones[0].name', '应为文字（现为 42）']]);
    const en = applyCameraEdit(text, file, cam.index, edit).problems;
    expect(en.map((p) => problemMessage(p.message, 'en'))).toEqual(['expected a string, got 42']);
  });

  it('warns, by name, of a zone a new privacy mask blacks out wholly (valid, so saved, but the zone never fires)', () => {
    const cam = editableCamera(text, 'street-1')!;
    const overKerb = [
      [0.05, 0.75],
      [0.35, 0.75],
      [0.35, 0.99],
      [0.05, 0.99],
    ];
    const r = applyCameraEdit(text, file, cam.index, {
      baseSha256: sha256Hex(text),
      zones: cam.camera.zones as unknown[],
      privacyMasks: [...(cam.camera.privacyMasks as unknown[]), overKerb],
    });
    expect(r.problems).toEqual([]);
    expect(r.warnings).toEqual([
      `${file}: warning: cameras[0].zones[0].polygon: zone "kerb" lies wholly under privacyMasks[1]: it is blacked out before analysis, so nothing in it is ever detected and its rules never fire; move the mask off the zone or remove the zone`,
    ]);
  });

  it('saves with a backup of the previous bytes, and refuses to overwrite a file changed meanwhile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jifang-edit-'));
    const f = join(dir, 'config.yaml');
    writeFileSync(f, 'a: 1\n');
    const saved = await saveConfigText(f, sha256Hex('a: 1\n'), 'a: 2\n', new Date('2026-12-01T10:00:00Z'));
    expect(saved).toEqual({ backup: `${f}.2026-12-01T10-00-00-000Z.bak`, sha256: sha256Hex('a: 2\n') });
    expect(readFileSync(f, 'utf8')).toBe('a: 2\n');
    expect(readFileSync(`${f}.2026-12-01T10-00-00-000Z.bak`, 'utf8')).toBe('a: 1\n');
    expect(await saveConfigText(f, sha256Hex('a: 1\n'), 'a: 3\n')).toEqual({ conflict: true });
    expect(readFileSync(f, 'utf8')).toBe('a: 2\n');
    expect(readdirSync(dir).filter((n) => n.endsWith('.bak'))).toHaveLength(1);
  });

  it('diffs lines with context and elides the rest', () => {
    const before = Array.from({ length: 10 }, (_, i) => `line ${i}`).join('\n');
    const after = before.replace('line 5', 'line five');
    expect(lineDiff(before, after)).toBe(
      ['…', '     4 line 3', '     5 line 4', '-      line 5', '+    6 line five', '     7 line 6', '     8 line 7', '…'].join('\n'),
    );
  });
});
