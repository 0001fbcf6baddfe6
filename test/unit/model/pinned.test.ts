import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadPinnedModel, provisionPinnedModel, readPinnedManifest } from '../../../agent/src/model/pinned.ts';
import { loadPlateModels, PLATE_MANIFESTS, plateManifestsDir } from '../../../agent/src/plate/models.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const BYTES = Buffer.from('plate detector bytes '.repeat(500));

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => (req.url === '/m.onnx' ? res.writeHead(200).end(BYTES) : res.writeHead(404).end()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

let root: string;
let models: string;
let shared: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'jifang-pinned-'));
  models = join(root, 'models', 'plates');
  shared = join(root, 'shared', 'plates');
  mkdirSync(models, { recursive: true });
  mkdirSync(shared, { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function manifest(fields: Record<string, unknown> = {}): string {
  const file = join(models, 'm.json');
  const m = {
    name: 'm',
    role: 'plate-detector',
    file: 'm.onnx',
    sha256: sha(BYTES),
    size: BYTES.length,
    url: `${base}/m.onnx`,
    licence: 'Apache-2.0',
    input: { name: 'input', width: 320, height: 320 },
    ...fields,
  };
  writeFileSync(file, JSON.stringify(m));
  return file;
}

describe('pinned model manifests (plate models)', () => {
  it('the project’s plate manifests are valid and pin the files in ../shared/plates and the npm package', async () => {
    for (const name of Object.values(PLATE_MANIFESTS)) await readPinnedManifest(join(plateManifestsDir, name));
    const loaded = await loadPlateModels();
    expect(loaded.available).toBe(true);
    if (loaded.available) {
      expect(loaded.models.recogniser.modelPath).toMatch(/node_modules\/@gutenye\/ocr-models\/assets\/ch_PP-OCRv4_rec_infer\.onnx$/);
      expect(loaded.models.detector.sha256).toBe('2a985dc63a5cc947ec36d18503d6fc0fd54525b9dba17f2fe29a71e86b44456d');
    }
  });

  it('bad fields are named with the expected form', async () => {
    await expect(readPinnedManifest(manifest({ role: 'detector' }))).rejects.toThrow(/m\.json: role: /);
    await expect(readPinnedManifest(manifest({ npm: { package: 'x', version: '^1.4' } }))).rejects.toThrow(
      /npm\.version: expected an exact version/,
    );
    await expect(readPinnedManifest(manifest({ role: 'text-recogniser' }))).rejects.toThrow(
      /dictionary: a text-recogniser needs its dictionary/,
    );
  });

  it('provisions from the shared folder, then verifies what is there', async () => {
    writeFileSync(join(shared, 'm.onnx'), BYTES);
    const file = manifest();
    const [first] = await provisionPinnedModel(file, shared);
    expect(first.action).toMatch(/linked|copied/);
    expect(readFileSync(join(models, 'm.onnx'))).toEqual(BYTES);
    expect((await provisionPinnedModel(file, shared))[0].action).toBe('verified');
    expect((await loadPinnedModel(file, [])).sha256).toBe(sha(BYTES));
  });

  it('downloads from the pinned URL when no copy is around; a wrong pin is a hard error', async () => {
    const [r] = await provisionPinnedModel(manifest(), shared);
    expect(r).toMatchObject({ action: 'downloaded', from: `${base}/m.onnx` });
    expect(lstatSync(join(models, 'm.onnx')).isFile()).toBe(true);
    rmSync(join(models, 'm.onnx'));
    await expect(provisionPinnedModel(manifest({ sha256: 'a'.repeat(64) }), shared)).rejects.toThrow(/SHA-256 mismatch: expected a{64}/);
    expect(existsSync(join(models, 'm.onnx'))).toBe(false);
  });

  it('an npm-shipped model must come from the pinned package version', async () => {
    const real = await readPinnedManifest(join(plateManifestsDir, PLATE_MANIFESTS.recogniser));
    const file = manifest({ ...real, npm: { ...real.npm, version: '9.9.9' } });
    await expect(loadPinnedModel(file)).rejects.toThrow(/npm package @gutenye\/ocr-models is 1\.4\.2, the manifest pins 9\.9\.9/);
  });

  it('a box without the plate models is told why, not stopped', async () => {
    expect(await loadPlateModels(models, [shared])).toEqual({
      available: false,
      reason: `no plate detector manifest ${join(models, PLATE_MANIFESTS.detector)}`,
    });
    copyFileSync(join(plateManifestsDir, PLATE_MANIFESTS.detector), join(models, PLATE_MANIFESTS.detector));
    const r = await loadPlateModels(models, [shared]);
    expect(r.available).toBe(false);
    if (!r.available) expect(r.reason).toMatch(/"y5fu_320x_sim\.onnx" not found/);
  });
});
