import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ManifestFamily, type ModelManifest, readManifest } from './manifest.ts';
import { FileVerificationError, verifyFile } from './verify.ts';

export interface LoadedModel {
  manifest: ModelManifest;
  /** Absolute path of the verified model file. */
  modelPath: string;
  /** One label per class index, in the model's output order. */
  labels: string[];
  /** Verified SHA-256 of the model file (named in every alert). */
  sha256: string;
}

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** Read-only material beside the project (see ../shared/README.md). */
export const sharedModelsDir = join(projectRoot, '..', 'shared', 'models');

/** Where a manifest's files are looked for, in order: next to the manifest, then ../shared/models. */
export function modelSearchDirs(manifestPath: string): string[] {
  return [dirname(resolve(manifestPath)), sharedModelsDir];
}

export function findFile(name: string, dirs: readonly string[]): string | undefined {
  return dirs.map((d) => resolve(d, name)).find((p) => existsSync(p));
}

export interface LoadModelOptions {
  /** Overrides {@link modelSearchDirs}. */
  searchDirs?: readonly string[];
}

/**
 * Reads and validates a manifest against the output families given (detect/decoders' `detectorFamilies`), then finds
 * and verifies its model and labels files.
 */
export async function loadModel(
  families: readonly ManifestFamily[],
  manifestPath: string,
  opts: LoadModelOptions = {},
): Promise<LoadedModel> {
  const manifest = await readManifest(manifestPath, families);
  const dirs = opts.searchDirs ?? modelSearchDirs(manifestPath);

  const modelPath = locate(manifest.file, dirs, manifestPath, `model file (SHA-256 ${manifest.sha256})`);
  const sha256 = await verifyFile(modelPath, { sha256: manifest.sha256, size: manifest.size });

  const labelsPath = locate(manifest.labels.file, dirs, manifestPath, 'labels file');
  if (manifest.labels.sha256) await verifyFile(labelsPath, { sha256: manifest.labels.sha256 });
  const labels = parseLabels(await readFile(labelsPath, 'utf8'), labelsPath);

  return { manifest, modelPath, labels, sha256 };
}

function locate(name: string, dirs: readonly string[], manifestPath: string, what: string): string {
  const found = findFile(name, dirs);
  if (!found) {
    throw new FileVerificationError(
      name,
      'missing',
      `${manifestPath}: ${what} "${name}" not found in ${dirs.join(' or ')} (run "npm run setup" to provision it)`,
    );
  }
  return found;
}

/** One label a line; blank lines at the end are ignored, blank lines inside would shift every class id. */
export function parseLabels(text: string, file: string): string[] {
  const lines = text
    .replace(/\r\n/g, '\n')
    .replace(/\n+$/, '')
    .split('\n')
    .map((l) => l.trim());
  const blank = lines.indexOf('');
  if (blank >= 0) throw new Error(`${file}: line ${blank + 1} is blank: expected one label per line, no blank lines`);
  return lines;
}
