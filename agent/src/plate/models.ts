import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPinnedModel, sharedPlatesDir } from '../model/pinned.ts';
import type { PlateModels } from './reader.ts';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The plate models' manifests, provisioned by setup like the detector's. */
export const plateManifestsDir = join(projectRoot, 'models', 'plates');
export const PLATE_MANIFESTS = {
  detector: 'y5fu_320x_sim.json',
  classifier: 'litemodel_cls_96x_r1.json',
  recogniser: 'ch_PP-OCRv4_rec.json',
} as const;

export type PlateModelsResult = { available: true; models: PlateModels } | { available: false; reason: string };

/**
 * Loads and verifies the plate models. Plates are an extra: a box without the models (or with a bad copy) gets
 * `available: false` and the reason, to be said once, and runs without plates. The classifier is optional.
 */
export async function loadPlateModels(
  dir = plateManifestsDir,
  searchDirs: readonly string[] = [sharedPlatesDir],
): Promise<PlateModelsResult> {
  const manifest = (name: string) => join(dir, name);
  try {
    if (!existsSync(manifest(PLATE_MANIFESTS.detector)))
      return { available: false, reason: `no plate detector manifest ${manifest(PLATE_MANIFESTS.detector)}` };
    const detector = await loadPinnedModel(manifest(PLATE_MANIFESTS.detector), searchDirs);
    const recogniser = await loadPinnedModel(manifest(PLATE_MANIFESTS.recogniser), searchDirs);
    const classifier = existsSync(manifest(PLATE_MANIFESTS.classifier))
      ? await loadPinnedModel(manifest(PLATE_MANIFESTS.classifier), searchDirs)
      : undefined;
    return { available: true, models: classifier ? { detector, recogniser, classifier } : { detector, recogniser } };
  } catch (err) {
    return { available: false, reason: (err as Error).message };
  }
}
