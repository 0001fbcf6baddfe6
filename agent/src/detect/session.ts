import type { InferenceSession } from 'onnxruntime-node';
import ort from 'onnxruntime-node';
import type { Logger } from '../core/log.ts';
import type { ModelManifest } from '../model/manifest.ts';
import { type DetectorConfig, intraOpThreadsOf } from './config.ts';
import { detectorFamily } from './decoders/index.ts';

export type SessionConfig = Pick<
  DetectorConfig,
  'intraOpThreads' | 'interOpThreads' | 'graphOptimization' | 'executionProviders' | 'allowSpinning'
>;

/** ORT session options from the config. CPU always ends the provider list, so a box without an accelerator still runs. */
export function sessionOptions(cfg: SessionConfig, providers: readonly string[]): InferenceSession.SessionOptions {
  return {
    executionProviders: providers.includes('cpu') ? [...providers] : [...providers, 'cpu'],
    intraOpNumThreads: intraOpThreadsOf(cfg),
    interOpNumThreads: cfg.interOpThreads,
    graphOptimizationLevel: cfg.graphOptimization,
    // Session config keys of onnxruntime_session_options_config_keys.h, nested by their dotted names.
    extra: {
      session: { intra_op: { allow_spinning: cfg.allowSpinning ? '1' : '0' }, inter_op: { allow_spinning: cfg.allowSpinning ? '1' : '0' } },
    },
    // The default model logs hundreds of initializer warnings at the default level.
    logSeverityLevel: 3,
  };
}

/**
 * Opens the model (its file, or its bytes as rewritten at load: `file` then names it in errors) with the configured
 * providers; if they cannot be used here, falls back to CPU with a warning.
 */
export async function openSession(
  source: string | Uint8Array,
  cfg: SessionConfig,
  log: Logger,
  file = typeof source === 'string' ? source : 'the model',
): Promise<InferenceSession> {
  // Two calls: ORT's overloads take a path or bytes, not a union of them.
  const create = (providers: readonly string[]) =>
    typeof source === 'string'
      ? ort.InferenceSession.create(source, sessionOptions(cfg, providers))
      : ort.InferenceSession.create(source, sessionOptions(cfg, providers));
  try {
    return await create(cfg.executionProviders);
  } catch (err) {
    if (cfg.executionProviders.every((p) => p === 'cpu'))
      throw new Error(`${file}: ONNX Runtime cannot load the model: ${(err as Error).message}`);
    log.warn({ providers: cfg.executionProviders, err }, 'execution providers unavailable, falling back to cpu');
    return create(['cpu']);
  }
}

export interface InputBinding {
  /** The image tensor's input name. */
  image: string;
  /** D-FINE / RT-DETR style extra input fed [[width, height]]. */
  sizeInput?: string;
}

/**
 * Checks the model's inputs against the manifest: one float32 image input [1, 3, H, W] (symbolic dimensions
 * accepted: the manifest's size is used), plus the optional size input. Anything else is an error naming the input.
 */
export function bindInputs(session: Pick<InferenceSession, 'inputMetadata'>, manifest: ModelManifest, where: string): InputBinding {
  const { width, height } = manifest.input;
  const sizeInput = detectorFamily(manifest.family).sizeInput?.(manifest.decode);
  const wanted = `float32 [1, 3, ${height}, ${width}]`;
  const inputs = session.inputMetadata;
  const imageMeta = manifest.input.name ? inputs.find((m) => m.name === manifest.input.name) : inputs.find((m) => m.name !== sizeInput);
  if (!imageMeta) {
    throw new Error(`${where}: the model has no input "${manifest.input.name}" (inputs: ${inputs.map((m) => `"${m.name}"`).join(', ')})`);
  }
  if (!imageMeta.isTensor) throw new Error(`${where}: input "${imageMeta.name}" is not a tensor; expected ${wanted}`);
  const shape = imageMeta.shape;
  const fits = (dim: number | string | undefined, want: number) => typeof dim === 'string' || dim === -1 || dim === want;
  const shapeOk = shape.length === 4 && fits(shape[0], 1) && fits(shape[1], 3) && fits(shape[2], height) && fits(shape[3], width);
  if (imageMeta.type !== 'float32' || !shapeOk) {
    throw new Error(
      `${where}: input "${imageMeta.name}" is ${imageMeta.type} [${shape.join(', ')}]; the manifest expects ${wanted} (check input.width/height)`,
    );
  }
  for (const m of inputs) {
    if (m.name === imageMeta.name) continue;
    if (m.name !== sizeInput) {
      throw new Error(
        `${where}: the model has an input "${m.name}" the manifest does not describe (set decode.sizeInput if it takes the image size)`,
      );
    }
  }
  if (sizeInput && !inputs.some((m) => m.name === sizeInput)) {
    throw new Error(
      `${where}: decode.sizeInput names "${sizeInput}", but the model's inputs are ${inputs.map((m) => `"${m.name}"`).join(', ')}`,
    );
  }
  return sizeInput ? { image: imageMeta.name, sizeInput } : { image: imageMeta.name };
}
