import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** Powers of two a fully convolutional detector's feature maps are reduced by. */
const STRIDES = [1, 2, 4, 8, 16, 32, 64, 128];

type Int64 = number | { low: number; high: number };

const toNumber = (v: Int64): number => (typeof v === 'number' ? v : v.low + v.high * 2 ** 32);

function int64Values(t: onnxProto.onnx.ITensorProto): number[] {
  if (t.int64Data && t.int64Data.length > 0) return (t.int64Data as Int64[]).map(toNumber);
  const raw = t.rawData;
  if (!raw || raw.byteLength % 8 !== 0) return [];
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Array.from({ length: raw.byteLength / 8 }, (_, i) => Number(view.getBigInt64(i * 8, true)));
}

function setInt64Values(t: onnxProto.onnx.ITensorProto, values: number[]): void {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  t.int64Data = [];
  t.rawData = raw;
}

/**
 * The model with a variable input height, so a letterboxed picture runs on its own rows instead of on padding
 * (YOLOv5's "rectangular inference"). A fully convolutional detector only fixes its height in the target shapes of
 * its Reshape nodes (a ShuffleNet's channel shuffles: `[1, 2, C, H/s, W/s]`); those become `[…, -1, W/s]`, the image
 * input's height and the outputs' anchor counts become symbolic, and the recorded intermediate shapes are dropped.
 * Pure: bytes in, bytes out. Whether the result really runs at other heights is for ONNX Runtime to say (see
 * createDetector's check).
 */
export function flexibleHeight(bytes: Uint8Array, input: { width: number; height: number }): Uint8Array {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  if (!graph?.input?.length) throw new Error('the model has no graph inputs');
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  const image = graph.input.find((i) => !initializers.has(i.name ?? '')) ?? graph.input[0];
  const dims = image.type?.tensorType?.shape?.dim;
  if (dims?.length !== 4) throw new Error(`input "${image.name}" is not a [1, 3, H, W] tensor`);
  const declared = (d: onnxProto.onnx.TensorShapeProto.IDimension, want: number) => !d.dimValue || toNumber(d.dimValue) === want;
  // A model of another size than its manifest says is left as it is: the input check then names its real shape.
  if (!declared(dims[2], input.height) || !declared(dims[3], input.width)) return bytes;
  dims[2] = { dimParam: 'height' };

  const tensors = new Map<string, onnxProto.onnx.ITensorProto>();
  for (const t of graph.initializer ?? []) tensors.set(t.name ?? '', t);
  for (const n of graph.node ?? []) {
    const value = n.opType === 'Constant' ? n.attribute?.find((a) => a.name === 'value')?.t : undefined;
    if (value && n.output?.[0]) tensors.set(n.output[0], value);
  }
  const spatial = STRIDES.map((s) => [Math.ceil(input.height / s), Math.ceil(input.width / s)]);
  const patched = new Set<string>();
  for (const n of graph.node ?? []) {
    const shapeName = n.opType === 'Reshape' ? n.input?.[1] : undefined;
    if (!shapeName || patched.has(shapeName)) continue;
    const t = tensors.get(shapeName);
    if (!t) continue;
    const shape = int64Values(t);
    const k = shape.length;
    if (k < 3 || !spatial.some(([h, w]) => shape[k - 2] === h && shape[k - 1] === w)) continue;
    if (shape.includes(-1)) throw new Error(`Reshape ${n.name}'s target shape [${shape.join(', ')}] already infers a dimension`);
    shape[k - 2] = -1;
    setInt64Values(t, shape);
    patched.add(shapeName);
  }
  // Which output dimension counts anchors depends on the family ([1, N, C] or [1, C, N]); the decoders check them.
  for (const o of graph.output ?? []) {
    const od = o.type?.tensorType?.shape?.dim;
    od?.forEach((_, i) => {
      if (i > 0) od[i] = { dimParam: `${o.name}_${i}` };
    });
  }
  graph.valueInfo = [];
  return onnx.ModelProto.encode(model).finish();
}
