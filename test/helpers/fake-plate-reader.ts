import type { Box, RgbImage } from '../../agent/src/core/geometry.ts';
import type { PlateReader, PlateReading } from '../../agent/src/plate/reader.ts';

/**
 * A fake plate reader (the real one needs the plate models; it is exercised in plate-read.test.ts): each call reads the
 * next of `texts` (round robin; '' finds no plate) as a blue plate filling the region asked for, once `gate` opens.
 */
export function fakePlateReader(texts: string[], gate?: Promise<void>): PlateReader & { calls: number; seen: Uint8Array[] } {
  const r = {
    calls: 0,
    seen: [] as Uint8Array[],
    lastTimings: { detectMs: 0, detectOrtMs: 0, rectifyMs: 0, recogniseMs: 0, recogniseOrtMs: 0, colourMs: 0, colourOrtMs: 0, totalMs: 0 },
    async read(image: RgbImage, region?: Box): Promise<PlateReading[]> {
      const text = texts[r.calls++ % texts.length];
      r.seen.push(image.data);
      await gate;
      if (text === '') return [];
      const b = region ?? { x1: 0, y1: 0, x2: image.width, y2: image.height };
      const corners: PlateReading['corners'] = [
        [b.x1, b.y1],
        [b.x2, b.y1],
        [b.x2, b.y2],
        [b.x1, b.y2],
      ];
      const charProbs = [...text].map(() => 0.95);
      return [
        {
          box: b,
          corners,
          rows: 1,
          detectionScore: 0.9,
          text,
          charProbs,
          colour: 'blue',
          grammar: { valid: true, kind: 'standard' },
          confidence: 0.85,
        },
      ];
    },
    find: () => Promise.reject(new Error('not used')),
    readCrop: () => Promise.reject(new Error('not used')),
    close: async () => undefined,
  };
  return r;
}
