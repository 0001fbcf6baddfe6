import type { RgbImage } from '../core/geometry.ts';

/** PP-OCR recogniser input: BGR planes, (v / 255 − 0.5) / 0.5, fixed height, width following the crop's aspect. */
export interface RecInput {
  data: Float32Array;
  width: number;
  height: number;
}

/**
 * Resizes a rectified plate row (bilinear, pixel centres aligned) to the recogniser's height, keeping its aspect
 * (width clamped to [minWidth, maxWidth]), into BGR CHW normalised to −1..1 as PaddleOCR's own preprocessing does.
 */
export function recInput(crop: RgbImage, height: number, minWidth = 48, maxWidth = 640): RecInput {
  const width = Math.max(minWidth, Math.min(maxWidth, Math.ceil((height * crop.width) / crop.height)));
  const plane = width * height;
  const data = new Float32Array(3 * plane);
  const sx = crop.width / width;
  const sy = crop.height / height;
  const { data: src, width: cw, height: ch } = crop;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(ch - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = fy | 0;
    const y1 = Math.min(ch - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(cw - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = fx | 0;
      const x1 = Math.min(cw - 1, x0 + 1);
      const wx = fx - x0;
      const a = (y0 * cw + x0) * 3;
      const b = (y0 * cw + x1) * 3;
      const c = (y1 * cw + x0) * 3;
      const d = (y1 * cw + x1) * 3;
      const o = y * width + x;
      for (let k = 0; k < 3; k++) {
        const v = (src[a + k] * (1 - wx) + src[b + k] * wx) * (1 - wy) + (src[c + k] * (1 - wx) + src[d + k] * wx) * wy;
        // R, G, B land in planes 2, 1, 0: the model was trained on OpenCV's BGR.
        data[(2 - k) * plane + o] = v / 127.5 - 1;
      }
    }
  }
  return { data, width, height };
}

export interface CtcText {
  text: string;
  /** Probability of each character of `text`. */
  probs: number[];
}

/**
 * Greedy CTC decoding of one sequence of [steps, classes] probabilities: class 0 is the blank, class i is
 * `dictionary[i - 1]`, and the class after the dictionary is a space (PP-OCR's use_space_char). Repeats collapse
 * unless a blank separates them; a character's probability is the best of its run. Only letters and digits are
 * kept (the separator dot and spaces on a plate are not part of its text); letters are upper-cased.
 */
export function ctcDecode(probs: Float32Array, steps: number, classes: number, dictionary: readonly string[]): CtcText {
  let text = '';
  const out: number[] = [];
  let prev = -1;
  // Whether the run in progress produced a kept character (its probability may still rise).
  let keepLast = false;
  for (let t = 0; t < steps; t++) {
    const o = t * classes;
    let best = 0;
    let p = probs[o];
    for (let c = 1; c < classes; c++) {
      if (probs[o + c] > p) {
        p = probs[o + c];
        best = c;
      }
    }
    if (best === prev) {
      if (keepLast) out[out.length - 1] = Math.max(out[out.length - 1], p);
      continue;
    }
    prev = best;
    keepLast = false;
    if (best === 0) continue;
    const ch = (dictionary[best - 1] ?? ' ').toUpperCase();
    if (!/^[\p{L}\p{N}]$/u.test(ch)) continue;
    text += ch;
    out.push(p);
    keepLast = true;
  }
  return { text, probs: out };
}

/**
 * A PP-OCR dictionary: one character a line, kept exactly (one entry is the ideographic space U+3000, which a
 * trimming parser would lose and so shift every later class).
 */
export function parseDictionary(text: string, file: string): string[] {
  const lines = text.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n');
  const empty = lines.findIndex((l) => l.length === 0);
  if (empty >= 0) throw new Error(`${file}: line ${empty + 1} is empty: expected one character a line`);
  return lines;
}
