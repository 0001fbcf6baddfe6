import { DEFAULT_MODEL, type DetectorConfig } from '../detect/config.ts';
import { detectorFamilies } from '../detect/decoders/index.ts';
import { loadModel } from '../model/load.ts';
import type { ModelLabelSource } from './label-check.ts';
import type { CameraConfig, Config } from './schema.ts';

/** A detector of the config by the name cameras and alerts know it by. */
export interface ConfiguredModel {
  name: string;
  /** Where it is configured, for messages: `model` or `models.NAME`. */
  path: string;
  cfg: DetectorConfig;
}

/** Every detector the config defines: `model:` as `default` first, then `models:` in the file's order. */
export function configuredModels(config: Pick<Config, 'model' | 'models'>): ConfiguredModel[] {
  return [
    { name: DEFAULT_MODEL, path: 'model', cfg: config.model },
    ...Object.entries(config.models).map(([name, cfg]) => ({ name, path: `models.${name}`, cfg })),
  ];
}

/** The detectors a camera runs, in its `models` order (the config's validation has checked every name). */
export function cameraModels(config: Pick<Config, 'model' | 'models'>, camera: Pick<CameraConfig, 'models'>): ConfiguredModel[] {
  const all = configuredModels(config);
  return camera.models.map((name) => {
    const m = all.find((c) => c.name === name);
    if (!m) throw new Error(`camera model "${name}" is not configured: expected one of ${all.map((c) => c.name).join(', ')}`);
    return m;
  });
}

/** A configured model, verified, with what check-config and the catalogue say of it. */
export interface VerifiedModel extends ModelLabelSource {
  sha256: string;
  /** The model's input size: a camera's regions are planned for its first model's. */
  input: { width: number; height: number };
}

/** Loads and verifies every configured model's manifest and files; an error names the config field it came from. */
export async function verifyModels(config: Pick<Config, 'model' | 'models'>): Promise<VerifiedModel[]> {
  const out: VerifiedModel[] = [];
  for (const { name, path, cfg } of configuredModels(config)) {
    const model = await loadModel(detectorFamilies, cfg.manifest).catch((err: Error) => {
      throw new Error(`${path}.manifest: ${err.message}`);
    });
    out.push({
      name,
      path,
      manifestName: model.manifest.name,
      labels: model.labels,
      labelMap: cfg.labelMap,
      sha256: model.sha256,
      input: model.manifest.input,
    });
  }
  return out;
}
