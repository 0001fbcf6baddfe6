import { describe, expect, it } from 'vitest';
import { detectorConfigSchema } from '../../../agent/src/detect/config.ts';
import { detectorFamilies } from '../../../agent/src/detect/decoders/index.ts';
import { bindInputs, sessionOptions } from '../../../agent/src/detect/session.ts';
import { modelManifestSchema } from '../../../agent/src/model/manifest.ts';

const manifest = (over: Record<string, unknown> = {}) =>
  modelManifestSchema(detectorFamilies).parse({
    name: 'm',
    file: 'm.onnx',
    sha256: '0'.repeat(64),
    size: 1,
    licence: 'x',
    family: 'end2end',
    input: { width: 640, height: 480, colorOrder: 'rgb', mean: [0, 0, 0], std: [255, 255, 255] },
    labels: { file: 'l.txt' },
    ...over,
  });
const tensor = (name: string, shape: (number | string)[], type = 'float32') => ({
  name,
  isTensor: true as const,
  type: type as 'float32',
  shape,
});

describe('sessionOptions', () => {
  it('ends the provider list with cpu and passes threads, optimisation and spinning through', () => {
    const o = sessionOptions(detectorConfigSchema.parse({ executionProviders: ['cuda'], intraOpThreads: 3 }), ['cuda']);
    expect(o).toMatchObject({
      executionProviders: ['cuda', 'cpu'],
      intraOpNumThreads: 3,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    });
  });
});

describe('bindInputs', () => {
  it('accepts symbolic dimensions and binds the size input by name', () => {
    const m = manifest({ decode: { sizeInput: 'orig_target_sizes' } });
    const meta = [tensor('images', ['N', 3, 'H', 'W']), tensor('orig_target_sizes', ['N', 2], 'int64')];
    expect(bindInputs({ inputMetadata: meta }, m, 'm.onnx')).toEqual({ image: 'images', sizeInput: 'orig_target_sizes' });
  });

  it('names the input given in the manifest when the model lacks it', () => {
    expect(() =>
      bindInputs({ inputMetadata: [tensor('x', [1, 3, 480, 640])] }, manifest({ input: { ...manifest().input, name: 'image' } }), 'm.onnx'),
    ).toThrow('m.onnx: the model has no input "image" (inputs: "x")');
  });

  it('rejects a float16 input, saying what the manifest expects', () => {
    expect(() => bindInputs({ inputMetadata: [tensor('x', [1, 3, 480, 640], 'float16')] }, manifest(), 'm.onnx')).toThrow(
      'm.onnx: input "x" is float16 [1, 3, 480, 640]; the manifest expects float32 [1, 3, 480, 640]',
    );
  });

  it('rejects a sizeInput the model does not have', () => {
    expect(() =>
      bindInputs({ inputMetadata: [tensor('x', [1, 3, 480, 640])] }, manifest({ decode: { sizeInput: 'sizes' } }), 'm.onnx'),
    ).toThrow('m.onnx: decode.sizeInput names "sizes", but the model\'s inputs are "x"');
  });
});
