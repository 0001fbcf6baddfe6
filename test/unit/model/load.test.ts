import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectorFamilies } from '../../../agent/src/detect/decoders/index.ts';
import { loadModel, parseLabels } from '../../../agent/src/model/load.ts';
import { verifyFile } from '../../../agent/src/model/verify.ts';
import { defaultManifest } from '../../helpers/paths.ts';

const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
const MODEL_BYTES = Buffer.from('not really onnx, but pinned bytes');
const LABELS = 'person\ncar\n';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'jifang-model-'));
  writeFileSync(join(dir, 'm.onnx'), MODEL_BYTES);
  writeFileSync(join(dir, 'm.labels.txt'), LABELS);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function manifest(over: Record<string, unknown> = {}): string {
  const m = {
    name: 'm',
    file: 'm.onnx',
    sha256: sha(MODEL_BYTES),
    size: MODEL_BYTES.length,
    licence: 'Apache-2.0',
    family: 'yolov8',
    input: { width: 64, height: 64, colorOrder: 'rgb', mean: [0, 0, 0], std: [255, 255, 255] },
    labels: { file: 'm.labels.txt', sha256: sha(LABELS) },
    ...over,
  };
  const file = join(dir, 'm.json');
  writeFileSync(file, JSON.stringify(m));
  return file;
}

describe('loadModel', () => {
  it('loads a manifest whose files sit next to it and are as pinned', async () => {
    const m = await loadModel(detectorFamilies, manifest(), { searchDirs: [dir] });
    expect(m.modelPath).toBe(join(dir, 'm.onnx'));
    expect(m.sha256).toBe(sha(MODEL_BYTES));
    expect(m.labels).toEqual(['person', 'car']);
    expect(m.manifest.input.resize).toBe('letterbox');
  });

  it('names the manifest and the field path when a field is wrong', async () => {
    const file = manifest({ input: { width: 64, height: 64, colorOrder: 'rgb', mean: [0, 0], std: [1, 1, 1] } });
    await expect(loadModel(detectorFamilies, file, { searchDirs: [dir] })).rejects.toThrow(
      `${file}: input.mean: expected mean as three numbers`,
    );
  });

  it('names an unknown output family and lists the known ones', async () => {
    const file = manifest({ family: 'ssd' });
    await expect(loadModel(detectorFamilies, file, { searchDirs: [dir] })).rejects.toThrow(
      /m\.json: family: expected output family gfl .*yolov8, yolov5, yolox or end2end/,
    );
  });

  it('refuses trimPaddingTo where it cannot apply, naming the field and why', async () => {
    const input = { width: 64, height: 64, colorOrder: 'rgb', mean: [0, 0, 0], std: [255, 255, 255] };
    const trim = (over: Record<string, unknown>) => loadModel(detectorFamilies, manifest(over), { searchDirs: [dir] });
    await expect(trim({ input: { ...input, resize: 'stretch', trimPaddingTo: 32 } })).rejects.toThrow(
      /m\.json: input\.trimPaddingTo: expected no trimPaddingTo with resize "stretch"/,
    );
    await expect(trim({ family: 'end2end', input: { ...input, trimPaddingTo: 32 } })).rejects.toThrow(
      /input\.trimPaddingTo: expected no trimPaddingTo for family end2end/,
    );
    await expect(trim({ input: { ...input, trimPaddingTo: 128 } })).rejects.toThrow(
      /input\.trimPaddingTo: expected at most input\.height \(64\)/,
    );
    expect((await trim({ input: { ...input, trimPaddingTo: 32 } })).manifest.input.trimPaddingTo).toBe(32);
  });

  it('rejects a manifest that is not JSON, naming the file', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{ "name": ');
    await expect(loadModel(detectorFamilies, file, { searchDirs: [dir] })).rejects.toThrow(`${file}: not valid JSON`);
  });

  it('reports a missing model file with where it looked', async () => {
    const file = manifest({ file: 'absent.onnx' });
    await expect(loadModel(detectorFamilies, file, { searchDirs: [dir, join(dir, 'shared')] })).rejects.toThrow(
      new RegExp(`model file \\(SHA-256 ${sha(MODEL_BYTES)}\\) "absent.onnx" not found in ${dir} or ${dir}/shared`),
    );
  });

  it('finds the model file in the second search folder (../shared/models)', async () => {
    const file = manifest();
    const shared = mkdtempSync(join(tmpdir(), 'jifang-shared-'));
    try {
      writeFileSync(join(shared, 'm.onnx'), MODEL_BYTES);
      rmSync(join(dir, 'm.onnx'));
      const m = await loadModel(detectorFamilies, file, { searchDirs: [dir, shared] });
      expect(m.modelPath).toBe(join(shared, 'm.onnx'));
    } finally {
      rmSync(shared, { recursive: true, force: true });
    }
  });

  it('rejects a model file whose bytes differ, naming the expected and the actual hash', async () => {
    const tampered = Buffer.from(MODEL_BYTES);
    tampered[0] ^= 1;
    writeFileSync(join(dir, 'm.onnx'), tampered);
    const err = await loadModel(detectorFamilies, manifest(), { searchDirs: [dir] }).catch((e: Error) => e);
    expect(String(err)).toContain(join(dir, 'm.onnx'));
    expect(String(err)).toContain(`expected ${sha(MODEL_BYTES)}, actual ${sha(tampered)}`);
  });

  it('rejects a truncated model file by its size before hashing', async () => {
    writeFileSync(join(dir, 'm.onnx'), MODEL_BYTES.subarray(0, 5));
    await expect(loadModel(detectorFamilies, manifest(), { searchDirs: [dir] })).rejects.toThrow(
      `size mismatch: expected ${MODEL_BYTES.length} bytes, actual 5 bytes`,
    );
  });

  it('rejects a labels file that does not match its pin', async () => {
    writeFileSync(join(dir, 'm.labels.txt'), 'person\ntruck\n');
    await expect(loadModel(detectorFamilies, manifest(), { searchDirs: [dir] })).rejects.toThrow(/m\.labels\.txt: SHA-256 mismatch/);
  });

  it('loads the project default manifest and finds the shared PicoDet model', async () => {
    const m = await loadModel(detectorFamilies, defaultManifest);
    expect(m.sha256).toBe(JSON.parse(readFileSync(defaultManifest, 'utf8')).sha256);
    expect(m.labels).toHaveLength(80);
    expect(m.labels[0]).toBe('person');
    expect(m.labels[2]).toBe('car');
  });
});

describe('parseLabels', () => {
  it('ignores trailing newlines and CRLF line ends', () => {
    expect(parseLabels('a\r\nb\r\n\r\n', 'l.txt')).toEqual(['a', 'b']);
  });
  it('rejects a blank line inside the list, naming its line, since it would shift every class id', () => {
    expect(() => parseLabels('a\n\nb\n', 'l.txt')).toThrow('l.txt: line 2 is blank');
  });
});

describe('verifyFile', () => {
  it('resolves to the SHA-256 of a matching file', async () => {
    await expect(verifyFile(join(dir, 'm.onnx'), { sha256: sha(MODEL_BYTES), size: MODEL_BYTES.length })).resolves.toBe(sha(MODEL_BYTES));
  });
  it('says file not found for a missing file', async () => {
    await expect(verifyFile(join(dir, 'nope'), { sha256: sha('') })).rejects.toThrow(`${join(dir, 'nope')}: file not found`);
  });
});
