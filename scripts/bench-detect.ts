/**
 * `npm run bench:detect [-- --image FILE] [--size WxH] [--rounds N] [--iterations N] [--model MANIFEST] [--threads N] [--spinning]`
 *
 * Prints, from one run on this machine: raw ONNX Runtime inferences/s for the model (same session options, same
 * preprocessed input), full detect() calls/s (preprocess + inference + decode + NMS) on the same frame, their ratio
 * and where detect() spends its time; then the detector in its worker thread (the agent's default) kept two calls
 * deep, as the frame loop keeps it, against raw ORT in rounds of back-to-back runs (target ≥ 0.98); last, with the
 * manifest's `trimPaddingTo`, raw ORT on the frame's own rows against the full square input (what trimming gains).
 */
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';
import sharp from 'sharp';
import type { RgbImage } from '../agent/src/core/geometry.ts';
import { silentLogger } from '../agent/src/core/log.ts';
import { detectorConfigSchema, intraOpThreadsOf } from '../agent/src/detect/config.ts';
import { detectorFamilies } from '../agent/src/detect/decoders/index.ts';
import { createDetector } from '../agent/src/detect/detector.ts';
import { Preprocessor } from '../agent/src/detect/preprocess.ts';
import { modelSource } from '../agent/src/detect/runner.ts';
import { openSession } from '../agent/src/detect/session.ts';
import { createWorkerDetector } from '../agent/src/detect/worker-detector.ts';
import { loadModel } from '../agent/src/model/load.ts';
import { defaultManifest, sample } from '../test/helpers/paths.ts';

const { values } = parseArgs({
  options: {
    image: { type: 'string' },
    size: { type: 'string', default: '640x360' },
    rounds: { type: 'string', default: '5' },
    iterations: { type: 'string', default: '20' },
    model: { type: 'string' },
    threads: { type: 'string' },
    spinning: { type: 'boolean', default: false },
  },
});
const [width, height] = (values.size ?? '').split('x').map(Number);
if (!(width > 0 && height > 0)) throw new Error(`--size ${values.size}: expected WIDTHxHEIGHT, e.g. 640x360`);
const rounds = Number(values.rounds);
const iterations = Number(values.iterations);

const cfg = detectorConfigSchema.parse({
  allowSpinning: values.spinning,
  ...(values.threads ? { intraOpThreads: Number(values.threads) } : {}),
});
const model = await loadModel(detectorFamilies, values.model ?? defaultManifest);
const imageFile = values.image ?? sample('street.png');
const { data } = await sharp(imageFile).removeAlpha().resize(width, height, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
const frame: RgbImage = { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width, height };

// Raw: its own session with the detector's options on the model as the detector opens it, fed the very tensor
// detect() builds for this frame (with trimmed padding, its own rows only).
const { input } = model.manifest;
const pre = new Preprocessor(input);
const { rows } = pre.fill(frame, { x: 0, y: 0, width, height });
const session = await openSession(await modelSource(model), cfg, silentLogger);
const imageName = input.name ?? session.inputNames[0];
const feeds = { [imageName]: new ort.Tensor('float32', pre.input.subarray(0, 3 * input.width * rows), [1, 3, rows, input.width]) };
const detector = await createDetector(model, cfg, silentLogger);

for (let i = 0; i < 5; i++) {
  await session.run(feeds);
  await detector.detect(frame);
}

// One raw run and one detect() call in turn, so load changes on a shared machine hit both alike; medians resist
// the spikes that totals absorb.
const n = rounds * iterations;
const raw: number[] = [];
const full: number[] = [];
const prep: number[] = [];
const dec: number[] = [];
for (let i = 0; i < n; i++) {
  let t = performance.now();
  await session.run(feeds);
  raw.push(performance.now() - t);
  t = performance.now();
  await detector.detect(frame);
  full.push(performance.now() - t);
  prep.push(detector.lastTimings.preprocessMs);
  dec.push(detector.lastTimings.decodeMs);
}
await detector.close();

// The worker detector two deep: a new call is made whenever one returns, so two are always in flight. Each round
// times `iterations` raw runs back to back, then `iterations` worker calls, so drifting load hits both alike.
const worker = await createWorkerDetector(model, cfg, silentLogger);
const twoDeep = async (count: number) => {
  let made = 0;
  const lane = async () => {
    while (made < count) {
      made++;
      await worker.detect(frame);
    }
  };
  await Promise.all([lane(), lane()]);
};
await twoDeep(5);
const rawRound: number[] = [];
const workerRound: number[] = [];
for (let r = 0; r < rounds; r++) {
  let t = performance.now();
  for (let i = 0; i < iterations; i++) await session.run(feeds);
  rawRound.push((performance.now() - t) / iterations);
  t = performance.now();
  await twoDeep(iterations);
  workerRound.push((performance.now() - t) / iterations);
}
await worker.close();

// What the padding costs: the published model file on its full square input, as every inference ran before
// trimPaddingTo (the same frame, letterboxed to all rows), in rounds against the input above.
const squarePre = new Preprocessor({ ...input, trimPaddingTo: undefined });
squarePre.fill(frame, { x: 0, y: 0, width, height });
const squareSession = await openSession(model.modelPath, cfg, silentLogger);
const squareFeeds = { [imageName]: new ort.Tensor('float32', squarePre.input, [1, 3, input.height, input.width]) };
for (let i = 0; i < 5; i++) await squareSession.run(squareFeeds);
const squareRound: number[] = [];
const trimmedRound: number[] = [];
const trimmed = rows < input.height;
for (let r = 0; r < rounds && trimmed; r++) {
  let t = performance.now();
  for (let i = 0; i < iterations; i++) await squareSession.run(squareFeeds);
  squareRound.push((performance.now() - t) / iterations);
  t = performance.now();
  for (let i = 0; i < iterations; i++) await session.run(feeds);
  trimmedRound.push((performance.now() - t) / iterations);
}
await squareSession.release();
await session.release();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const rate = (ms: number) => (1000 / ms).toFixed(1);
const lines = [
  `model            ${model.manifest.name} (${input.width}×${input.height}, ${intraOpThreadsOf(cfg)} intra-op / ${cfg.interOpThreads} inter-op threads, spinning ${cfg.allowSpinning ? 'on' : 'off'}, ${cfg.executionProviders.join(',')})`,
  `frame            ${width}×${height} from ${imageFile}, whole frame only (${input.width}×${rows} model input), ${n} runs each, alternating`,
  `raw ORT          ${rate(median(raw))} inferences/s (median ${median(raw).toFixed(2)} ms; mean ${(sum(raw) / n).toFixed(2)} ms)`,
  `detect()         ${rate(median(full))} calls/s (median ${median(full).toFixed(2)} ms; mean ${(sum(full) / n).toFixed(2)} ms; of which preprocess ${median(prep).toFixed(2)}, decode+NMS ${median(dec).toFixed(2)} ms)`,
  `ratio            ${(median(raw) / median(full)).toFixed(3)} by medians, ${(sum(raw) / sum(full)).toFixed(3)} by totals (in this thread, one call at a time)`,
  `worker, 2 deep   ${rate(median(workerRound))} calls/s against raw ${rate(median(rawRound))}/s in ${rounds} rounds of ${iterations}: ratio ${(median(rawRound) / median(workerRound)).toFixed(3)} by medians, ${(sum(rawRound) / sum(workerRound)).toFixed(3)} by totals (target ≥ 0.98)`,
  trimmed
    ? `padding trimmed  raw ${rate(median(trimmedRound))}/s at ${input.width}×${rows} against ${rate(median(squareRound))}/s at ${input.width}×${input.height} (the padding included): ${(median(squareRound) / median(trimmedRound)).toFixed(2)}× by medians`
    : `padding trimmed  no: the frame fills all ${input.height} rows of the model input`,
];
process.stdout.write(`${lines.join('\n')}\n`);
