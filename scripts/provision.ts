/**
 * Provisions the data the agent, the demo and the tests need, idempotently (run by scripts/setup.sh):
 *   - every model manifest in models/: model and labels files (models/ → ../shared/models → pinned URL, SHA-256 checked)
 *   - the plate models in models/plates/ (models/plates/ → ../shared/plates → pinned URL; the recogniser shipped
 *     by its npm package is verified where npm installed it)
 *   - sample media listed in samples/manifest.json (samples/ → ../shared/samples → pinned URL, SHA-256 checked)
 *   - derived samples made with ffmpeg (the demo clip from street.png), remade when their recipe changes
 * Usage: node --import tsx scripts/provision.ts [--quiet] [--models-only]
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { z } from 'zod';
import { provisionPinnedModel } from '../agent/src/model/pinned.ts';
import { type ProvisionResult, provisionFile, provisionModel } from '../agent/src/model/provision.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sharedSamples = resolve(root, '..', 'shared', 'samples');
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const samplesManifestSchema = z.object({
  files: z.array(z.object({ file: z.string().min(1), sha256, url: z.url() })),
  derived: z.array(z.object({ file: z.string().min(1), from: z.string().min(1), ffmpeg: z.array(z.string()).min(1) })),
});

const argv = process.argv.slice(2);
const quiet = argv.includes('--quiet');
const modelsOnly = argv.includes('--models-only');
const unknown = argv.filter((a) => a !== '--quiet' && a !== '--models-only');
if (unknown.length > 0) {
  process.stderr.write(`usage: node --import tsx scripts/provision.ts [--quiet] [--models-only] (unknown: ${unknown.join(' ')})\n`);
  process.exit(2);
}

function report(r: ProvisionResult): void {
  if (quiet && r.action === 'verified') return;
  process.stdout.write(`provision: ${r.file}: ${r.action === 'verified' ? 'verified' : `${r.action} from ${r.from} and verified`}\n`);
}

async function derive(dir: string, d: { file: string; from: string; ffmpeg: string[] }): Promise<void> {
  const target = join(dir, d.file);
  const recipe = createHash('sha256').update(JSON.stringify(d)).digest('hex');
  const stamp = `${target}.recipe`;
  if (existsSync(target) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === recipe) {
    if (!quiet) process.stdout.write(`provision: ${target}: up to date\n`);
    return;
  }
  const partial = `${target}.partial.mp4`;
  const args = ['-hide_banner', '-loglevel', 'error', '-y', ...d.ffmpeg.map((a) => a.replace('{from}', join(dir, d.from))), partial];
  try {
    await promisify(execFile)('ffmpeg', args);
  } catch (err) {
    rmSync(partial, { force: true });
    throw new Error(`making ${target} with ffmpeg failed: ${(err as { stderr?: string }).stderr?.trim() || (err as Error).message}`);
  }
  renameSync(partial, target);
  writeFileSync(stamp, `${recipe}\n`);
  process.stdout.write(`provision: ${target}: made from ${d.from}\n`);
}

try {
  const modelsDir = join(root, 'models');
  for (const manifest of readdirSync(modelsDir).filter((f) => f.endsWith('.json'))) {
    const { model, labels } = await provisionModel(join(modelsDir, manifest));
    report(model);
    report(labels);
  }
  const platesDir = join(modelsDir, 'plates');
  if (existsSync(platesDir)) {
    for (const manifest of readdirSync(platesDir)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      for (const r of await provisionPinnedModel(join(platesDir, manifest))) report(r);
    }
  }
  if (!modelsOnly) {
    const dir = join(root, 'samples');
    const manifest = samplesManifestSchema.parse(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
    for (const f of manifest.files)
      report(await provisionFile(dir, { name: f.file, pin: { sha256: f.sha256 }, url: f.url }, { sharedDir: sharedSamples }));
    for (const d of manifest.derived) await derive(dir, d);
  }
} catch (err) {
  process.stderr.write(`provision: ${(err as Error).message}\n`);
  process.exit(1);
}
