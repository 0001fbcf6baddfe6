/**
 * `npm run bench:plate [-- --iterations N]`
 *
 * Prints, from one run on this machine, ms per vehicle for plate reading (detection, rectification, recognition,
 * colour, whole) beside the raw ONNX Runtime time of each model (same one-thread session options, same input
 * shapes), measured in turn so load changes on a shared machine hit both alike. The vehicles are the ones the
 * frame detector finds in ../shared/plates/hyperlpr-test_img.jpg plus the truck of hyperlpr-1.jpg; medians.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';
import type { Box, RgbImage } from '../agent/src/core/geometry.ts';
import { silentLogger } from '../agent/src/core/log.ts';
import { detectorConfigSchema } from '../agent/src/detect/config.ts';
import { detectorFamilies } from '../agent/src/detect/decoders/index.ts';
import { createDetector } from '../agent/src/detect/detector.ts';
import { readRgbImage } from '../agent/src/detect/image-file.ts';
import { sessionOptions } from '../agent/src/detect/session.ts';
import { loadModel } from '../agent/src/model/load.ts';
import { loadPlateModels } from '../agent/src/plate/models.ts';
import { createPlateReader, type PlateTimings } from '../agent/src/plate/reader.ts';
import { defaultManifest, sharedDir } from '../test/helpers/paths.ts';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '10' } } });
const iterations = Number(values.iterations);
if (!(iterations >= 1)) throw new Error(`--iterations ${values.iterations}: expected a whole number ≥ 1`);

const loaded = await loadPlateModels();
if (!loaded.available) throw new Error(`plate models unavailable: ${loaded.reason}`);
const reader = await createPlateReader(loaded.models, silentLogger);

const street = await readRgbImage(join(sharedDir, 'plates', 'hyperlpr-test_img.jpg'));
const truck = await readRgbImage(join(sharedDir, 'plates', 'hyperlpr-1.jpg'));
const detector = await createDetector(await loadModel(detectorFamilies, defaultManifest), detectorConfigSchema.parse({}), silentLogger);
const vehicles: { image: RgbImage; box: Box; name: string }[] = (await detector.detect(street))
  .filter((d) => ['car', 'truck', 'bus', 'motorcycle'].includes(d.label) && d.score >= 0.4)
  .map((d, i) => ({ image: street, box: d.box, name: `street ${d.label} ${i}` }));
vehicles.push({ image: truck, box: { x1: 0, y1: 0, x2: truck.width, y2: truck.height }, name: 'truck (whole 320×320 frame)' });
await detector.close();

// Raw sessions with the reader's options, fed inputs of the shapes the reader feeds.
const opts = sessionOptions(
  { intraOpThreads: 1, interOpThreads: 1, graphOptimization: 'all', executionProviders: ['cpu'], allowSpinning: false },
  ['cpu'],
);
const raw = {
  detector: { session: await ort.InferenceSession.create(loaded.models.detector.modelPath, opts), shape: [1, 3, 320, 320] },
  recogniser: { session: await ort.InferenceSession.create(loaded.models.recogniser.modelPath, opts), shape: [1, 3, 48, 158] },
  classifier: loaded.models.classifier && {
    session: await ort.InferenceSession.create(loaded.models.classifier.modelPath, opts),
    shape: [1, 3, 96, 96],
  },
};
async function rawRun(r: { session: ort.InferenceSession; shape: number[] }): Promise<number> {
  const data = new Float32Array(r.shape.reduce((a, b) => a * b, 1)).fill(0.5);
  const t = performance.now();
  await r.session.run({ [r.session.inputNames[0]]: new ort.Tensor('float32', data, r.shape) });
  return performance.now() - t;
}

for (const v of vehicles) await reader.read(v.image, v.box);
const per: Record<keyof PlateTimings, number[]> = {
  detectMs: [],
  detectOrtMs: [],
  rectifyMs: [],
  recogniseMs: [],
  recogniseOrtMs: [],
  colourMs: [],
  colourOrtMs: [],
  totalMs: [],
};
const rawMs = { detector: [] as number[], recogniser: [] as number[], classifier: [] as number[] };
const plates = new Map<string, string[]>();
for (let i = 0; i < iterations; i++) {
  for (const v of vehicles) {
    const found = await reader.read(v.image, v.box);
    if (i === 0)
      plates.set(
        v.name,
        found.map((p) => (p.grammar.valid ? `${p.text} ${p.colour}` : `unreadable (${p.text || 'no text'})`)),
      );
    for (const k of Object.keys(per) as (keyof PlateTimings)[]) per[k].push(reader.lastTimings[k]);
    rawMs.detector.push(await rawRun(raw.detector));
    rawMs.recogniser.push(await rawRun(raw.recogniser));
    if (raw.classifier) rawMs.classifier.push(await rawRun(raw.classifier));
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)];
};
const f = (v: number) => v.toFixed(1).padStart(7);
const out = process.stdout;
out.write(`plate reading, ${vehicles.length} vehicle(s) × ${iterations} iteration(s), one ORT thread, medians in ms per vehicle\n`);
for (const v of vehicles)
  out.write(
    `  ${v.name.padEnd(28)} [${[v.box.x1, v.box.y1, v.box.x2, v.box.y2].map(Math.round).join(', ')}]: ${plates.get(v.name)?.join(', ') || 'no plate'}\n`,
  );
out.write(`  stage           pipeline  its ORT   raw ORT\n`);
out.write(`  detection       ${f(median(per.detectMs))}  ${f(median(per.detectOrtMs))}  ${f(median(rawMs.detector))}   (y5fu 320×320)\n`);
out.write(`  rectification   ${f(median(per.rectifyMs))}\n`);
out.write(
  `  recognition     ${f(median(per.recogniseMs))}  ${f(median(per.recogniseOrtMs))}  ${f(median(rawMs.recogniser))}   (PP-OCRv4 rec, raw at 48×158, per plate row)\n`,
);
out.write(
  `  colour          ${f(median(per.colourMs))}  ${f(median(per.colourOrtMs))}  ${f(median(rawMs.classifier))}   (litemodel_cls 96×96 + pixel shares)\n`,
);
out.write(`  whole           ${f(median(per.totalMs))}\n`);
await reader.close();
await Promise.all([raw.detector.session.release(), raw.recogniser.session.release(), raw.classifier?.session.release()]);
