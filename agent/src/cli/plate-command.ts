import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import sharp from 'sharp';
import type { RgbImage } from '../core/geometry.ts';
import { createLogger } from '../core/log.ts';
import { loadPlateModels } from '../plate/models.ts';
import { createPlateReader, type PlateReader, type PlateReading, type PlateTimings } from '../plate/reader.ts';
import { defineCommand, UserError } from './command.ts';
import { runOnImages } from './image-files.ts';

const USAGE = `usage: jifang plate IMAGE... [--crop] [--json] [--out FILE|DIR]

  Finds Chinese licence plates and reads them: box, four corners, text, colour, rows and confidence.
  --crop   each IMAGE is already one tight plate crop: read it without detecting
  --json   print one JSON document instead of text lines
  --out    write the image annotated with each plate's outline and text (JPEG unless the name says
           otherwise); a folder when several images are given
`;

interface ImageResult {
  image: string;
  width: number;
  height: number;
  plates: PlateReading[];
  timings: PlateTimings;
}

/** `jifang plate`: reads plates on image files. */
export const command = defineCommand({
  summary: { args: 'IMAGE... [options]', text: 'find and read licence plates on images' },
  usage: USAGE,
  options: {
    crop: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
  positionals: { min: 1, missing: 'at least one IMAGE' },
  async run({ values, positionals }, io) {
    const loaded = await loadPlateModels();
    if (!loaded.available) throw new UserError(`plate models unavailable: ${loaded.reason}`);
    const reader: PlateReader = await createPlateReader(loaded.models, createLogger(process.env.JIFANG_LOG_LEVEL ?? 'warn'));
    try {
      await runOnImages(positionals, values, io, {
        analyse: async (image, file): Promise<ImageResult> => {
          const plates = values.crop ? [await reader.readCrop(image)] : await reader.read(image);
          return { image: file, width: image.width, height: image.height, plates, timings: reader.lastTimings };
        },
        text: formatText,
        json: toJson,
        annotate: (image, r, file) => writeAnnotated(image, r.plates, file),
        suffix: 'plate',
      });
      return 0;
    } finally {
      await reader.close();
    }
  },
});

const round = (v: number) => Math.round(v * 10) / 10;
const box = (p: PlateReading) => [p.box.x1, p.box.y1, p.box.x2, p.box.y2].map(Math.round);

function formatText(r: ImageResult): string {
  const head = `${r.image} ${r.width}×${r.height}: ${r.plates.length} plate(s), ${Math.round(r.timings.totalMs)} ms\n`;
  return (
    head +
    r.plates
      .map((p) => {
        const text = p.grammar.valid ? p.text : `${p.text || '?'} (unreadable: ${p.grammar.reason})`;
        return `  ${text.padEnd(10)} ${p.colour.padEnd(6)} ${p.rows === 2 ? 'double' : 'single'}  ${p.confidence.toFixed(2)}  [${box(p).join(', ')}]\n`;
      })
      .join('')
  );
}

function toJson(r: ImageResult) {
  return {
    image: r.image,
    width: r.width,
    height: r.height,
    plates: r.plates.map((p) => ({
      text: p.text,
      valid: p.grammar.valid,
      ...(p.grammar.valid ? { kind: p.grammar.kind } : { problem: p.grammar.reason }),
      colour: p.colour,
      rows: p.rows,
      confidence: Math.round(p.confidence * 1000) / 1000,
      detectionScore: Math.round(p.detectionScore * 1000) / 1000,
      charProbs: p.charProbs.map((c) => Math.round(c * 1000) / 1000),
      box: { x1: round(p.box.x1), y1: round(p.box.y1), x2: round(p.box.x2), y2: round(p.box.y2) },
      corners: p.corners.map(([x, y]) => [round(x), round(y)]),
    })),
    timings: Object.fromEntries(Object.entries(r.timings).map(([k, v]) => [k, round(v)])),
  };
}

const FONTS = "'Noto Sans CJK SC', 'Droid Sans Fallback', 'DejaVu Sans', sans-serif";
const PLATE_COLOR = '#00e5ff';
const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** Each plate's four-corner outline and its text (CJK font) above it. */
async function writeAnnotated(image: RgbImage, plates: readonly PlateReading[], file: string): Promise<void> {
  const { width, height } = image;
  const stroke = Math.max(2, Math.round(Math.min(width, height) / 300));
  const size = Math.max(14, Math.round(Math.min(width, height) / 30));
  const parts = plates.map((p) => {
    const points = p.corners.map(([x, y]) => `${round(x)},${round(y)}`).join(' ');
    const label = `${p.grammar.valid ? p.text : '?'} ${p.confidence.toFixed(2)}`;
    // Kept inside the picture: a plate near the right edge gets its label shifted left.
    const textWidth = [...label].reduce((w, c) => w + (c.charCodeAt(0) > 0x2e80 ? size : size * 0.6), 0);
    const x = Math.max(0, Math.min(Math.round(p.box.x1), Math.round(width - textWidth - 2)));
    const y = Math.max(size + 4, Math.round(p.box.y1) - stroke * 2);
    return (
      `<polygon points="${points}" fill="none" stroke="${PLATE_COLOR}" stroke-width="${stroke}"/>` +
      `<text x="${x}" y="${y}" font-family="${FONTS}" font-size="${size}" fill="${PLATE_COLOR}" stroke="#000" stroke-width="${Math.max(1, size / 12)}" paint-order="stroke">${escapeXml(label)}</text>`
    );
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
  await mkdir(dirname(file), { recursive: true });
  const img = sharp(image.data, { raw: { width, height, channels: 3 } }).composite([{ input: Buffer.from(svg) }]);
  await writeFile(file, /\.png$/i.test(file) ? await img.png().toBuffer() : await img.jpeg({ quality: 90 }).toBuffer());
}
