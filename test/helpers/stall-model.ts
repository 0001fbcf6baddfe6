import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Box } from '../../agent/src/core/geometry.ts';
import { constantModel } from './onnx-builder.ts';

/** The site detector stand-in's input: small, stretched (no letterbox), so frame and model pixels map exactly. */
const INPUT = 128;

export interface StallModelSpec {
  /** Where the "stall" is, in pixels of `frame`. */
  box: Box;
  frame: { width: number; height: number };
  score?: number;
  /** The manifest's name (default `tiny-stalls`). */
  name?: string;
  /** Its one label (default `stall`). */
  label?: string;
}

/**
 * Writes a tiny YOLOv8-layout ONNX model into `dir` (output [1, 4 + 1, 1]: one anchor, one class, `stall` unless
 * told otherwise) that sees it at `box` in every picture of the frame's size, with its labels file and a manifest a config can name
 * (hashes and size real, so the agent verifies it like any model). Returns the manifest's path.
 */
export function writeStallModel(dir: string, spec: StallModelSpec): string {
  const sx = INPUT / spec.frame.width;
  const sy = INPUT / spec.frame.height;
  const { x1, y1, x2, y2 } = spec.box;
  const anchor = [((x1 + x2) / 2) * sx, ((y1 + y2) / 2) * sy, (x2 - x1) * sx, (y2 - y1) * sy, spec.score ?? 0.9];
  const onnx = constantModel({
    input: { dims: [1, 3, INPUT, INPUT] },
    outputs: [{ name: 'output0', dims: [1, 5, 1], data: Float32Array.from(anchor) }],
  });
  const name = spec.name ?? 'tiny-stalls';
  const labels = `${spec.label ?? 'stall'}\n`;
  writeFileSync(join(dir, `${name}.onnx`), onnx);
  writeFileSync(join(dir, `${name}.labels.txt`), labels);
  const manifest = join(dir, `${name}.json`);
  writeFileSync(
    manifest,
    JSON.stringify({
      name,
      file: `${name}.onnx`,
      sha256: sha256(onnx),
      size: onnx.byteLength,
      licence: 'test',
      source: 'built by test/helpers/stall-model.ts: a constant YOLOv8-layout output',
      family: 'yolov8',
      input: { width: INPUT, height: INPUT, colorOrder: 'rgb', mean: [0, 0, 0], std: [255, 255, 255], resize: 'stretch' },
      labels: { file: `${name}.labels.txt`, sha256: sha256(Buffer.from(labels)) },
    }),
  );
  return manifest;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
