import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const { DataType } = onnx.TensorProto;

export type ConstantData = Float32Array | BigInt64Array;

export interface ConstantOutput {
  name: string;
  dims: number[];
  data: ConstantData;
}

export interface ConstantModelSpec {
  /** Image input shape; strings are symbolic (dynamic) dimensions. Default [1, 3, 64, 64]. */
  input?: { name?: string; dims?: (number | string)[] };
  /** Further inputs, e.g. an int64 `orig_target_sizes` [1, 2]; they are accepted and ignored. */
  extraInputs?: { name: string; dims: (number | string)[]; type: 'float32' | 'int64' }[];
  outputs: ConstantOutput[];
}

const dimProto = (d: number | string) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d });
const valueInfo = (name: string, elemType: number, dims: (number | string)[]) => ({
  name,
  type: { tensorType: { elemType, shape: { dim: dims.map(dimProto) } } },
});
const typeOf = (data: ConstantData) => (data instanceof Float32Array ? DataType.FLOAT : DataType.INT64);
const bytes = (data: ConstantData) => new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

/**
 * An ONNX model whose outputs are fixed tensors whatever the image: each output is `constant + 0 × ReduceMean(image)`
 * (cast to int64 for integer outputs), so ONNX Runtime returns exactly the given values and a decoder test knows its
 * input exactly. The image input still has to be fed with the declared shape.
 */
export function constantModel(spec: ConstantModelSpec): Uint8Array {
  const inputName = spec.input?.name ?? 'image';
  const inputDims = spec.input?.dims ?? [1, 3, 64, 64];
  const nodes: onnxProto.onnx.INodeProto[] = [
    {
      opType: 'ReduceMean',
      input: [inputName],
      output: ['mean'],
      attribute: [{ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 }],
    },
    { opType: 'Mul', input: ['mean', 'zero'], output: ['zero_f'] },
    {
      opType: 'Cast',
      input: ['zero_f'],
      output: ['zero_i'],
      attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: DataType.INT64 }],
    },
  ];
  const initializer: onnxProto.onnx.ITensorProto[] = [
    { name: 'zero', dims: [], dataType: DataType.FLOAT, rawData: bytes(new Float32Array([0])) },
  ];
  for (const o of spec.outputs) {
    const expected = o.dims.reduce((a, b) => a * b, 1);
    if (o.data.length !== expected)
      throw new Error(`constantModel: output ${o.name} has ${o.data.length} values for dims [${o.dims}] (${expected})`);
    initializer.push({ name: `${o.name}__const`, dims: o.dims, dataType: typeOf(o.data), rawData: bytes(o.data) });
    nodes.push({ opType: 'Add', input: [`${o.name}__const`, o.data instanceof Float32Array ? 'zero_f' : 'zero_i'], output: [o.name] });
  }
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'jifang-test',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'constant',
      node: nodes,
      initializer,
      input: [
        valueInfo(inputName, DataType.FLOAT, inputDims),
        ...(spec.extraInputs ?? []).map((x) => valueInfo(x.name, x.type === 'float32' ? DataType.FLOAT : DataType.INT64, x.dims)),
      ],
      output: spec.outputs.map((o) => valueInfo(o.name, typeOf(o.data), o.dims)),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
