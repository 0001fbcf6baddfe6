import type { PlateColour } from '../contract/plate.ts';
import type { RgbImage } from '../core/geometry.ts';

export interface ColourShares {
  blue: number;
  yellow: number;
  green: number;
  white: number;
  black: number;
}

/**
 * Shares of the plate's inner area (a margin trimmed off for the frame and the surroundings the corners let in)
 * that look blue, yellow, green, white or black, by hue, saturation and value. Characters take the rest of the
 * area: white on blue and black plates, black on yellow, green and white ones.
 */
export function colourShares(crop: RgbImage): ColourShares {
  const { data, width, height } = crop;
  const mx = Math.floor(width * 0.06);
  const my = Math.floor(height * 0.1);
  const s: ColourShares = { blue: 0, yellow: 0, green: 0, white: 0, black: 0 };
  let n = 0;
  for (let y = my; y < height - my; y++) {
    for (let x = mx, o = (y * width + mx) * 3; x < width - mx; x++, o += 3) {
      const r = data[o];
      const g = data[o + 1];
      const b = data[o + 2];
      const max = Math.max(r, g, b);
      const min = Math.min(r, g, b);
      const sat = max === 0 ? 0 : (max - min) / max;
      n++;
      if (max < 70) s.black++;
      else if (sat < 0.22) {
        if (max > 140) s.white++;
      } else {
        const hue = hueOf(r, g, b, max, min);
        if (hue >= 190 && hue <= 250) s.blue++;
        else if (hue >= 30 && hue < 70) s.yellow++;
        else if (hue >= 70 && hue < 170) s.green++;
      }
    }
  }
  if (n === 0) return s;
  return { blue: s.blue / n, yellow: s.yellow / n, green: s.green / n, white: s.white / n, black: s.black / n };
}

function hueOf(r: number, g: number, b: number, max: number, min: number): number {
  const d = max - min;
  if (d === 0) return 0;
  let h: number;
  if (max === r) h = ((g - b) / d) % 6;
  else if (max === g) h = (b - r) / d + 2;
  else h = (r - g) / d + 4;
  h *= 60;
  return h < 0 ? h + 360 : h;
}

/** HyperLPR3's classifier (litemodel_cls_96x_r1) classes, from its common/typedef.py: PLATE_TYPE_BLUE 0, GREEN 1, YELLOW 2. */
export const CLASSIFIER_COLOURS: readonly PlateColour[] = ['blue', 'green', 'yellow'];

/**
 * The plate colour from the pixel shares, with the classifier's opinion (blue / green / yellow only) when it ran:
 * a plate with little coloured area is white or black, whichever dominates; otherwise the classifier decides when
 * it is sure, else the strongest hue. An 8-character text is a new-energy plate, whose background is green.
 */
export function plateColour(shares: ColourShares, classifier?: { colour: PlateColour; p: number }, textLength?: number): PlateColour {
  if (textLength === 8) return 'green';
  const chroma: [PlateColour, number][] = [
    ['blue', shares.blue],
    ['yellow', shares.yellow],
    ['green', shares.green],
  ];
  chroma.sort((a, b) => b[1] - a[1]);
  if (chroma[0][1] < 0.15) return shares.white >= shares.black ? 'white' : 'black';
  if (classifier && classifier.p >= 0.6) return classifier.colour;
  return chroma[0][0];
}
