import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { provisionModel } from '../../agent/src/model/provision.ts';
import { projectRoot } from '../helpers/paths.ts';

const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
const MODEL = Buffer.from('pinned model bytes '.repeat(1000));
const LABELS = 'person\ncar\n';

/** A real HTTP server standing in for raw.githubusercontent.com. */
let server: Server;
let base: string;
const served: Record<string, Buffer> = {};
beforeAll(async () => {
  server = createServer((req, res) => {
    const body = served[req.url ?? ''];
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

let root: string;
let models: string;
let shared: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'jifang-provision-'));
  models = join(root, 'project', 'models');
  shared = join(root, 'shared', 'models');
  mkdirSync(models, { recursive: true });
  mkdirSync(shared, { recursive: true });
  writeFileSync(join(models, 'm.labels.txt'), LABELS);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function manifest(url?: string): string {
  const file = join(models, 'm.json');
  writeFileSync(
    file,
    JSON.stringify({
      name: 'm',
      file: 'm.onnx',
      sha256: sha(MODEL),
      size: MODEL.length,
      ...(url ? { url } : {}),
      licence: 'Apache-2.0',
      family: 'gfl',
      input: { width: 416, height: 416, colorOrder: 'rgb', mean: [0, 0, 0], std: [1, 1, 1] },
      labels: { file: 'm.labels.txt', sha256: sha(LABELS) },
    }),
  );
  return file;
}

describe('provisionModel', () => {
  it('verifies a model already in models/ and leaves it alone', async () => {
    writeFileSync(join(models, 'm.onnx'), MODEL);
    const r = await provisionModel(manifest(), { sharedDir: shared });
    expect(r.model).toEqual({ file: join(models, 'm.onnx'), action: 'verified' });
    expect(r.labels.action).toBe('verified');
  });

  it('links the shared copy into models/ with a relative symlink', async () => {
    writeFileSync(join(shared, 'm.onnx'), MODEL);
    const r = await provisionModel(manifest(), { sharedDir: shared });
    expect(r.model.action).toBe('linked');
    expect(lstatSync(join(models, 'm.onnx')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(models, 'm.onnx'))).toBe('../../shared/models/m.onnx');
    expect(readFileSync(join(models, 'm.onnx'))).toEqual(MODEL);
  });

  it('refuses a shared copy that does not match the pin', async () => {
    writeFileSync(join(shared, 'm.onnx'), Buffer.concat([MODEL.subarray(1), Buffer.from('x')]));
    await expect(provisionModel(manifest(), { sharedDir: shared })).rejects.toThrow(/shared\/models\/m\.onnx: SHA-256 mismatch: expected /);
    expect(existsSync(join(models, 'm.onnx'))).toBe(false);
  });

  it('downloads from the pinned URL when no local copy exists', async () => {
    served['/m.onnx'] = MODEL;
    const r = await provisionModel(manifest(`${base}/m.onnx`), { sharedDir: shared });
    expect(r.model).toEqual({ file: join(models, 'm.onnx'), action: 'downloaded', from: `${base}/m.onnx` });
    expect(readFileSync(join(models, 'm.onnx'))).toEqual(MODEL);
    expect(readdirSync(models).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it('fails hard on a download whose hash differs and leaves no file behind', async () => {
    const other = Buffer.from(MODEL);
    other[10] ^= 0xff;
    served['/bad.onnx'] = other;
    await expect(provisionModel(manifest(`${base}/bad.onnx`), { sharedDir: shared })).rejects.toThrow(
      `download of ${base}/bad.onnx: SHA-256 mismatch: expected ${sha(MODEL)}, actual ${sha(other)}`,
    );
    expect(readdirSync(models).sort()).toEqual(['m.json', 'm.labels.txt']);
  });

  it('reports an HTTP error with its status', async () => {
    await expect(provisionModel(manifest(`${base}/missing.onnx`), { sharedDir: shared })).rejects.toThrow(
      `download of ${base}/missing.onnx failed: HTTP 404`,
    );
    expect(readdirSync(models).sort()).toEqual(['m.json', 'm.labels.txt']);
  });

  it('refuses to overwrite a tampered file in models/, saying how to recover', async () => {
    writeFileSync(join(models, 'm.onnx'), Buffer.from('something else'));
    await expect(provisionModel(manifest(), { sharedDir: shared })).rejects.toThrow(
      /m\.onnx: size mismatch: .* \(delete it to provision the pinned file again\)/,
    );
  });

  it('says where it looked when there is no copy and no URL', async () => {
    await expect(provisionModel(manifest(), { sharedDir: shared })).rejects.toThrow(
      `${join(models, 'm.onnx')}: not found, not in ${shared}, and no url is given`,
    );
  });
});

describe('provision CLI', () => {
  // Asynchronous on purpose: the HTTP server above runs in this process and must keep serving.
  const cli = (args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', join(projectRoot, 'agent/src/model/provision.ts'), ...args],
        { cwd: projectRoot, timeout: 60_000 },
        (err, stdout, stderr) => resolve({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }),
      );
    });

  it('prints one line of what it did and exits 0', async () => {
    served['/cli.onnx'] = MODEL;
    const r = await cli([manifest(`${base}/cli.onnx`)]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      `${join(models, 'm.onnx')}: downloaded from ${base}/cli.onnx and verified; ${join(models, 'm.labels.txt')}: verified\n`,
    );
  });

  it('exits 1 with the reason on stderr when the model cannot be provisioned', async () => {
    const r = await cli([manifest()]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^provision: .*m\.onnx: not found/);
  });

  it('exits 2 with usage when no manifest is given', async () => {
    const r = await cli([]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^usage: /);
  });
});
