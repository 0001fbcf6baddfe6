/**
 * `npm run bench:detect [-- --image FILE] [--size WxH] [--rounds N] [--iterations N] [--model MANIFEST] [--threads N] [--spinning]`
 *
 * Prints, from one run on this machine: raw ONNX Runtime inferences/s for the model (same session options, same
 * preprocessed input), full detect() calls/s (preprocess + inference + decode + NMS) on the same frame, their ratio
 * (target ≥ 0.95) and where detect() spends its time. Raw and detect() blocks alternate so load changes on a shared
 * machine hit both alike.
 */
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';
import sharp from 'sharp';
import { detectorConfigSchema } from '../agent/src/detect/config.ts';
import { createDetector } from '../agent/src/detect/detector.ts';
import { Preprocessor } from '../agent/src/detect/preprocess.ts';
import { sessionOptions } from '../agent/src/detect/session.ts';
import type { RgbImage } from '../agent/src/detect/types.ts';
import { silentLogger } from '../agent/src/log.ts';
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

const cfg = detectorConfigSchema.parse({ allowSpinning: values.spinning, ...(values.threads ? { intraOpThreads: Number(values.threads) } : {}) });
const model = await loadModel(values.model ?? defaultManifest);
const imageFile = values.image ?? sample('street.png');
const { data } = await sharp(imageFile).removeAlpha().resize(width, height, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
const frame: RgbImage = { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width, height };

// Raw: its own session with the detector's options, fed the very tensor detect() builds for this frame.
const { input } = model.manifest;
const pre = new Preprocessor(input);
pre.fill(frame, { x: 0, y: 0, width, height });
const session = await ort.InferenceSession.create(model.modelPath, sessionOptions(cfg, cfg.executionProviders));
const feeds = { [input.name ?? session.inputNames[0]]: new ort.Tensor('float32', pre.input, [1, 3, input.height, input.width]) };
const detector = await createDetector(model, cfg, silentLogger);

for (let i = 0; i < 5; i++) {
  await session.run(feeds);
  await detector.detect(frame);
}

let rawMs = 0;
let detectMs = 0;
const parts = { preprocessMs: 0, inferenceMs: 0, decodeMs: 0 };
for (let r = 0; r < rounds; r++) {
  let t = performance.now();
  for (let i = 0; i < iterations; i++) await session.run(feeds);
  rawMs += performance.now() - t;
  t = performance.now();
  for (let i = 0; i < iterations; i++) {
    await detector.detect(frame);
    const lt = detector.lastTimings;
    parts.preprocessMs += lt.preprocessMs;
    parts.inferenceMs += lt.inferenceMs[0];
    parts.decodeMs += lt.decodeMs;
  }
  detectMs += performance.now() - t;
}
await session.release();
await detector.close();

const n = rounds * iterations;
const rawRate = (n * 1000) / rawMs;
const detectRate = (n * 1000) / detectMs;
const per = (v: number) => (v / n).toFixed(2);
const lines = [
  `model            ${model.manifest.name} (${input.width}×${input.height}, ${cfg.intraOpThreads} intra-op / ${cfg.interOpThreads} inter-op threads, spinning ${cfg.allowSpinning ? 'on' : 'off'}, ${cfg.executionProviders.join(',')})`,
  `frame            ${width}×${height} from ${imageFile}, whole frame only, ${n} runs each`,
  `raw ORT          ${rawRate.toFixed(1)} inferences/s (${(rawMs / n).toFixed(2)} ms each)`,
  `detect()         ${detectRate.toFixed(1)} calls/s (${(detectMs / n).toFixed(2)} ms each: preprocess ${per(parts.preprocessMs)}, inference ${per(parts.inferenceMs)}, decode+NMS ${per(parts.decodeMs)} ms)`,
  `ratio            ${(detectRate / rawRate).toFixed(3)} (target ≥ 0.95)`,
];
process.stdout.write(`${lines.join('\n')}\n`);
