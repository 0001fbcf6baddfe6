import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../../agent/src/core/geometry.ts';
import { ctcDecode, parseDictionary, recInput } from '../../../agent/src/plate/ctc.ts';
import { decodePlates, PLATE_ROW } from '../../../agent/src/plate/decode.ts';
import { type Quad, quadBand, quadSize, rectify, rectToQuad } from '../../../agent/src/plate/rectify.ts';

function gradient(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([x * 2, y * 3, (x + y) % 256], (y * width + x) * 3);
  return { data, width, height };
}

const apply = (h: Float64Array, u: number, v: number) => {
  const w = h[6] * u + h[7] * v + h[8];
  return [(h[0] * u + h[1] * v + h[2]) / w, (h[3] * u + h[4] * v + h[5]) / w];
};

describe('perspective rectification', () => {
  const quad: Quad = [
    [12, 20],
    [90, 8],
    [95, 40],
    [10, 52],
  ];

  it('the homography takes the output rectangle’s corners to the quad’s', () => {
    const h = rectToQuad(160, 48, quad);
    [
      [0, 0],
      [160, 0],
      [160, 48],
      [0, 48],
    ].forEach(([u, v], i) => {
      const [x, y] = apply(h, u, v);
      expect(x).toBeCloseTo(quad[i][0], 6);
      expect(y).toBeCloseTo(quad[i][1], 6);
    });
  });

  it('an axis-aligned quad at scale 1 copies the pixels exactly', () => {
    const img = gradient(64, 40);
    const out = rectify(
      img,
      [
        [10, 5],
        [42, 5],
        [42, 25],
        [10, 25],
      ],
      32,
      20,
    );
    for (let y = 0; y < 20; y++)
      for (let x = 0; x < 32; x++) {
        const o = (y * 32 + x) * 3;
        const i = ((y + 5) * 64 + x + 10) * 3;
        expect([...out.data.subarray(o, o + 3)]).toEqual([...img.data.subarray(i, i + 3)]);
      }
  });

  it('samples outside the image repeat the edge pixel', () => {
    const img = gradient(8, 8);
    const out = rectify(
      img,
      [
        [-20, -20],
        [-10, -20],
        [-10, -10],
        [-20, -10],
      ],
      4,
      4,
    );
    expect([...out.data.subarray(0, 3)]).toEqual([...img.data.subarray(0, 3)]);
  });

  it('three corners on a line are refused', () => {
    expect(() =>
      rectToQuad(10, 10, [
        [0, 0],
        [5, 0],
        [10, 0],
        [0, 0],
      ]),
    ).toThrow(/degenerate/);
  });

  it('sizes and bands follow the quad’s edges', () => {
    expect(
      quadSize([
        [0, 0],
        [100, 0],
        [100, 30],
        [0, 30],
      ]),
    ).toEqual({ width: 100, height: 30 });
    expect(
      quadBand(
        [
          [0, 0],
          [100, 0],
          [100, 50],
          [0, 50],
        ],
        0.4,
        1,
      ),
    ).toEqual([
      [0, 20],
      [100, 20],
      [100, 50],
      [0, 50],
    ]);
  });
});

describe('y5fu output decoding', () => {
  function rows(...r: number[][]): Float32Array {
    const out = new Float32Array(6300 * PLATE_ROW);
    r.forEach((v, i) => out.set(v, i * PLATE_ROW));
    return out;
  }
  // cx cy w h obj, corners tl tr br bl, single, double
  const plate = [100, 50, 60, 20, 0.9, 70, 40, 130, 42, 131, 60, 69, 58, 0.95, 0.05];

  it('reads box, corners and row class in HyperLPR3’s order, mapped back to the image', () => {
    const [d] = decodePlates(rows(plate), { originX: 1000, originY: 500, scaleX: 0.5, scaleY: 0.5 });
    expect(d.box).toEqual({ x1: 1140, y1: 580, x2: 1260, y2: 620 });
    expect(d.corners).toEqual([
      [1140, 580],
      [1260, 584],
      [1262, 620],
      [1138, 616],
    ]);
    expect(d.rows).toBe(1);
    expect(d.score).toBeCloseTo(0.855, 5);
  });

  it('the double-row class wins when it scores higher', () => {
    const [d] = decodePlates(rows([...plate.slice(0, 13), 0.2, 0.7]), { originX: 0, originY: 0, scaleX: 1, scaleY: 1 });
    expect(d.rows).toBe(2);
    expect(d.score).toBeCloseTo(0.63, 5);
  });

  it('keeps the best of overlapping rows and drops weak ones', () => {
    const weaker = [102, 51, 60, 20, 0.8, ...plate.slice(5, 13), 0.9, 0.1];
    const elsewhere = [250, 250, 40, 14, 0.7, 230, 243, 270, 243, 270, 257, 230, 257, 0.9, 0.1];
    const faint = [200, 100, 40, 14, 0.2, 180, 93, 220, 93, 220, 107, 180, 107, 0.9, 0.1];
    const found = decodePlates(rows(weaker, plate, elsewhere, faint), { originX: 0, originY: 0, scaleX: 1, scaleY: 1 });
    expect(found.map((d) => d.box.x1)).toEqual([70, 230]);
  });

  it('an output that is not whole 15-value rows is an error', () => {
    expect(() => decodePlates(new Float32Array(16), { originX: 0, originY: 0, scaleX: 1, scaleY: 1 })).toThrow(/15-value rows/);
  });
});

describe('CTC decoding and the recogniser input', () => {
  const dict = ['京', 'A', '1', '·', '\u3000'];
  // classes: 0 blank, 1..5 dictionary, 6 space
  function probs(seq: [number, number][]): Float32Array {
    const out = new Float32Array(seq.length * 7);
    seq.forEach(([c, p], t) => {
      out.fill((1 - p) / 6, t * 7, t * 7 + 7);
      out[t * 7 + c] = p;
    });
    return out;
  }

  it('collapses repeats, splits them at blanks, drops separators and keeps each character’s best probability', () => {
    const r = ctcDecode(
      probs([
        [1, 0.6],
        [1, 0.9],
        [0, 0.9],
        [2, 0.8],
        [4, 0.9],
        [3, 0.7],
        [0, 0.9],
        [3, 0.95],
        [6, 0.9],
      ]),
      9,
      7,
      dict,
    );
    expect(r.text).toBe('京A11');
    expect(r.probs.map((p) => Math.round(p * 100) / 100)).toEqual([0.9, 0.8, 0.7, 0.95]);
  });

  it('the dictionary keeps its ideographic-space entry so later classes do not shift', () => {
    expect(parseDictionary('京\nA\n\u3000\n1\n', 'd.txt')).toEqual(['京', 'A', '\u3000', '1']);
    expect(() => parseDictionary('京\n\nA\n', 'd.txt')).toThrow('d.txt: line 2 is empty');
  });

  it('the recogniser input is BGR, −1..1, at the height asked and the crop’s aspect', () => {
    const crop: RgbImage = { data: new Uint8Array(200 * 50 * 3).fill(0).map((_, i) => [255, 0, 127.5][i % 3]), width: 200, height: 50 };
    const r = recInput(crop, 48);
    expect([r.width, r.height]).toEqual([192, 48]);
    const plane = r.width * r.height;
    expect(r.data[0]).toBeCloseTo(0, 1);
    expect(r.data[plane]).toBe(-1);
    expect(r.data[2 * plane]).toBe(1);
  });
});
