import type { z } from 'zod';
import type { ManifestFamily } from '../../model/manifest.ts';
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

export interface DecoderSetup<D = Readonly<Record<string, unknown>>> {
  numClasses: number;
  inputWidth: number;
  inputHeight: number;
  /** The manifest's `decode`, as the family's schema parsed it. */
  decode: D;
}

export interface Decoder {
  /**
   * Appends the candidates of one model run, in model-input pixels, keeping per anchor the best class whose
   * score reaches that class's threshold (`thresholds[classId]`).
   */
  decode(outputs: Outputs, thresholds: Float32Array, pass: number, out: RawBoxes): void;
}

/** Binds a family's decoder to a model's actual outputs; throws {@link OutputLayoutError} when they do not fit. */
export type DecoderFactory<D = Readonly<Record<string, unknown>>> = (outputs: readonly OutputInfo[], setup: DecoderSetup<D>) => Decoder;

/** An output family: what the manifest checks (name, `decode` schema, constraints) and the decoder it binds. */
export interface DetectorFamily extends ManifestFamily {
  readonly create: DecoderFactory;
  /** The extra model input fed [[width, height]], when the family's `decode` names one. */
  readonly sizeInput?: (decode: Readonly<Record<string, unknown>>) => string | undefined;
}

interface FamilyDefinition<S extends z.ZodObject> extends Omit<ManifestFamily, 'decode'> {
  readonly decode: S;
  readonly create: DecoderFactory<z.output<S>>;
  readonly sizeInput?: (decode: z.output<S>) => string | undefined;
}

/** Types a family's decoder and hooks by its own `decode` schema (the manifest already applied it; parsing is idempotent). */
export function defineFamily<S extends z.ZodObject>(f: FamilyDefinition<S>): DetectorFamily {
  const { create, sizeInput, ...manifestSide } = f;
  return {
    ...manifestSide,
    create: (outputs, setup) => create(outputs, { ...setup, decode: f.decode.parse(setup.decode) }),
    ...(sizeInput && { sizeInput: (decode) => sizeInput(f.decode.parse(decode)) }),
  };
}
