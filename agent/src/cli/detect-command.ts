import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import sharp from 'sharp';
import { projectRoot } from '../config/load.ts';
import type { RgbImage } from '../core/geometry.ts';
import { createLogger } from '../core/log.ts';
import { detectorConfigSchema } from '../detect/config.ts';
import { detectorFamilies } from '../detect/decoders/index.ts';
import { createDetector } from '../detect/detector.ts';
import type { Detection, DetectionWindow, Detector, DetectTimings } from '../detect/types.ts';
import { renderSnapshot, ZONE_COLOR } from '../evidence/snapshot.ts';
import { loadModel } from '../model/load.ts';
import { defineCommand, UsageError } from './command.ts';
import { runOnImages } from './image-files.ts';

const USAGE = `usage: jifang detect IMAGE... [--model MANIFEST] [--windows X,Y,W,H[;X,Y,W,H...]] [--threshold T] [--json] [--out FILE|DIR]

  --model      model manifest (default ${detectorConfigSchema.parse({}).manifest})
  --windows    extra detection windows in image pixels, run at the model's native size and merged with the
               whole frame (repeat the option or separate windows with ";")
  --threshold  minimum score, 0..1 (default ${detectorConfigSchema.parse({}).scoreThreshold})
  --json       print one JSON document instead of text lines
  --out        write the image annotated with boxes and windows (JPEG unless the name says otherwise);
               a folder when several images are given
`;

interface ImageResult {
  image: string;
  width: number;
  height: number;
  windows: DetectionWindow[];
  detections: Detection[];
  timings: DetectTimings;
}

/** `jifang detect`: runs the detector on image files; exit 0 when all ran, 1 on a failure, 2 on bad usage. */
export const command = defineCommand({
  summary: { args: 'IMAGE... [options]', text: 'run the detector on images' },
  usage: USAGE,
  options: {
    model: { type: 'string' },
    windows: { type: 'string', multiple: true },
    threshold: { type: 'string' },
    json: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
  positionals: { min: 1, missing: 'at least one IMAGE' },
  async run({ values, positionals }, io) {
    const threshold = values.threshold === undefined ? undefined : Number(values.threshold);
    if (threshold !== undefined && !(threshold >= 0 && threshold <= 1))
      throw new UsageError(`--threshold ${values.threshold}: expected a number from 0 to 1`);
    const windows = (values.windows ?? [])
      .flatMap((v) => v.split(';'))
      .filter((s) => s.trim() !== '')
      .map(parseWindow);
    const manifest = values.model ? resolve(values.model) : defaultManifest();
    let detector: Detector | undefined;
    try {
      const model = await loadModel(detectorFamilies, manifest);
      detector = await createDetector(
        model,
        detectorConfigSchema.parse({ scoreThreshold: threshold }),
        createLogger(process.env.JIFANG_LOG_LEVEL ?? 'warn'),
      );
      const run = detector;
      await runOnImages(positionals, values, io, {
        analyse: async (image, file): Promise<ImageResult> => {
          const detections = await run.detect(image, windows);
          return { image: file, width: image.width, height: image.height, windows, detections, timings: run.lastTimings };
        },
        text: formatText,
        json: toJson,
        annotate: writeAnnotated,
        suffix: 'detect',
      });
      return 0;
    } finally {
      await detector?.close();
    }
  },
});

function defaultManifest(): string {
  const rel = detectorConfigSchema.parse({}).manifest;
  return [resolve(rel), resolve(projectRoot, rel)].find((p) => existsSync(p)) ?? resolve(projectRoot, rel);
}

function parseWindow(spec: string): DetectionWindow {
  const parts = spec.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 4 || !parts.every((n) => Number.isInteger(n) && n >= 0) || parts[2] === 0 || parts[3] === 0) {
    throw new UsageError(`--windows "${spec}": expected X,Y,WIDTH,HEIGHT in whole image pixels, e.g. 880,380,561,300`);
  }
  const [x, y, width, height] = parts;
  return { x, y, width, height };
}

const round = (v: number) => Math.round(v * 10) / 10;

function formatText(r: ImageResult): string {
  const ms = r.timings.preprocessMs + r.timings.inferenceMs.reduce((a, b) => a + b, 0) + r.timings.decodeMs;
  const passes = r.timings.inferenceMs.length;
  const head = `${r.image} ${r.width}×${r.height}: ${r.detections.length} detection(s), ${passes} inference(s), ${Math.round(ms)} ms\n`;
  return (
    head +
    r.detections
      .map(
        (d) => `  ${d.label.padEnd(14)} ${d.score.toFixed(2)}  [${[d.box.x1, d.box.y1, d.box.x2, d.box.y2].map(Math.round).join(', ')}]\n`,
      )
      .join('')
  );
}

function toJson(r: ImageResult) {
  return {
    image: r.image,
    width: r.width,
    height: r.height,
    windows: r.windows,
    detections: r.detections.map((d) => ({
      label: d.label,
      classId: d.classId,
      score: Math.round(d.score * 1000) / 1000,
      box: { x1: round(d.box.x1), y1: round(d.box.y1), x2: round(d.box.x2), y2: round(d.box.y2) },
    })),
    timings: {
      preprocessMs: round(r.timings.preprocessMs),
      inferenceMs: r.timings.inferenceMs.map(round),
      decodeMs: round(r.timings.decodeMs),
    },
  };
}

/** The evidence stage's snapshot drawing, with the detection windows outlined first. */
async function writeAnnotated(image: RgbImage, r: ImageResult, file: string): Promise<void> {
  const { width, height } = image;
  let base = image;
  if (r.windows.length) {
    const stroke = Math.max(2, Math.round(Math.min(width, height) / 300));
    const rects = r.windows.map(
      (w) =>
        `<rect x="${w.x}" y="${w.y}" width="${w.width}" height="${w.height}" fill="none" stroke="${ZONE_COLOR}" stroke-width="${stroke}" stroke-dasharray="${stroke * 4},${stroke * 3}"/>`,
    );
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${rects.join('')}</svg>`;
    const data = await sharp(image.data, { raw: { width, height, channels: 3 } })
      .composite([{ input: Buffer.from(svg) }])
      .removeAlpha()
      .raw()
      .toBuffer();
    base = { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width, height };
  }
  const snap = await renderSnapshot(
    base,
    { objects: r.detections, camera: basename(r.image), at: Date.now() },
    { frame: { width, height }, timezone: Intl.DateTimeFormat().resolvedOptions().timeZone, quality: 90 },
  );
  await mkdir(dirname(file), { recursive: true });
  if (/\.jpe?g$/i.test(file)) await writeFile(file, snap.jpeg);
  else await sharp(snap.jpeg).toFile(file);
}
