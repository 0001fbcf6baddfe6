import type { ModelManifest } from '../../model/manifest.ts';
import type { RawBoxes } from '../raw-boxes.ts';

/** The part of an ORT output tensor a decoder reads. */
export interface OutputTensor {
  readonly dims: readonly number[];
  readonly type: string;
  readonly data: unknown;
}
export type Outputs = Readonly<Record<string, OutputTensor>>;

/** Name, shape and element type of one model output, as seen on the warm-up run. */
export interface OutputInfo {
  name: string;
  dims: readonly number[];
  type: string;
}

export interface DecoderSetup {
  numClasses: number;
  inputWidth: number;
  inputHeight: number;
  decode: ModelManifest['decode'];
}

export interface Decoder {
  /**
   * Appends the candidates of one model run, in model-input pixels, keeping per anchor the best class whose
   * score reaches that class's threshold (`thresholds[classId]`).
   */
  decode(outputs: Outputs, thresholds: Float32Array, pass: number, out: RawBoxes): void;
}

/** Binds a family's decoder to a model's actual outputs; throws {@link OutputLayoutError} when they do not fit. */
export type DecoderFactory = (outputs: readonly OutputInfo[], setup: DecoderSetup) => Decoder;
