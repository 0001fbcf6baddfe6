/**
 * `npm run bench:loop -- --cameras 1,2,4,8 [--fps 10] [--seconds 20] [--size 640x360] [--threads N] [--model MANIFEST]
 *    [--detection every_frame,motion] [--thread worker|main] [--depth 2]`
 * `npm run bench:loop -- --soak 600 [--soak-cameras 4]`
 *
 * The real agent loop (CameraSource → FrameLoop → detection gate → tracker) over N cameras streaming from a real RTSP
 * server, with the real model: with `--detection every_frame` (the default) every camera streams car-detection.mp4
 * and costs one whole-frame inference per frame; with several modes, each stage runs once per mode over a mix of
 * scenes (car-detection.mp4 with traffic, the street clip with parked cars, an empty road held still with sensor noise), so the modes
 * are compared on the same footage, and inferences/s are printed beside analysed frames/s. Prints per stage, in one run: per-camera achieved vs target fps, total analysed
 * frames/s, the raw ONNX Runtime limit measured just before and after the stage (same model, same threads) and the ratio
 * (target ≥ 0.9 when the demand exceeds it), p50/p99 frame age at inference start, p50/p99 event latency (from the
 * frame in which a track's object was first detected to the moment the tracker confirms it, wall clock: the hits it
 * needs, the frames between them, queueing and processing), CPU (agent and its ffmpeg children, % of one core) and
 * resident memory; beside them the inferences/s every camera at its target would need, what the detector gives per second
 * of its running time in the loop, the share of the wall time the agent's busiest thread was on a CPU and the RTSP
 * server's CPU (the capacity a stage's shortfall comes from). The detector runs as the agent runs it (`--thread worker`, the default: in its worker thread) and
 * the loop keeps `--depth` frames in process (2, the agent's default). `--soak` runs one stage for that many seconds and prints resident memory every
 * 30 s. Figures on a shared 2-core machine are noisy.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';
import { Registry } from 'prom-client';
import { createLogger } from '../agent/src/core/log.ts';
import { detectorConfigSchema, intraOpThreadsOf } from '../agent/src/detect/config.ts';
import { fitWindow, Preprocessor } from '../agent/src/detect/preprocess.ts';
import { modelSource } from '../agent/src/detect/runner.ts';
import { openSession } from '../agent/src/detect/session.ts';
import type { Detector } from '../agent/src/detect/types.ts';
import { openDetector } from '../agent/src/detect/worker-detector.ts';
import { cameraSourceSchema } from '../agent/src/ingest/config.ts';
import { CameraSource } from '../agent/src/ingest/source.ts';
import { FrameLoop } from '../agent/src/loop/frame-loop.ts';
import { quantile } from '../agent/src/loop/samples.ts';
import type { StageName } from '../agent/src/loop/timings.ts';
import { type LoadedModel, loadModel } from '../agent/src/model/load.ts';
import { type DetectionConfig, detectionConfigSchema } from '../agent/src/motion/config.ts';
import { DetectionGate } from '../agent/src/runtime/detection-gate.ts';
import { createTracker } from '../agent/src/track/tracker.ts';
import type { Track } from '../agent/src/track/types.ts';
import { defaultManifest, sample } from '../test/helpers/paths.ts';

type DetectionMode = DetectionConfig['mode'];

import { detectorFamilies } from '../agent/src/detect/decoders/index.ts';
import { startRtspServer } from '../test/helpers/rtsp-server.ts';

const { values } = parseArgs({
  options: {
    cameras: { type: 'string', default: '1,2,4,8' },
    fps: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '20' },
    size: { type: 'string', default: '640x360' },
    threads: { type: 'string' },
    model: { type: 'string' },
    soak: { type: 'string' },
    'soak-cameras': { type: 'string', default: '4' },
    detection: { type: 'string', default: 'every_frame' },
    thread: { type: 'string', default: 'worker' },
    depth: { type: 'string', default: '2' },
  },
});
const depth = Number(values.depth);
const modes = (values.detection ?? '').split(',') as DetectionMode[];
if (!modes.every((m) => m === 'motion' || m === 'every_frame'))
  throw new Error(`--detection ${values.detection}: expected motion, every_frame or both (comma-separated)`);
const mixed = modes.length > 1 || modes[0] === 'motion';
const counts = (values.cameras ?? '').split(',').map(Number);
if (!counts.every((n) => Number.isInteger(n) && n > 0))
  throw new Error(`--cameras ${values.cameras}: expected a list of camera counts, e.g. 1,2,4,8`);
const fps = Number(values.fps);
const seconds = Number(values.seconds);
const [width, height] = (values.size ?? '').split('x').map(Number);
if (!(fps > 0 && seconds > 0 && width > 0 && height > 0)) throw new Error('expected --fps > 0, --seconds > 0 and --size WIDTHxHEIGHT');
const soakSeconds = values.soak === undefined ? undefined : Number(values.soak);

const log = createLogger('warn');
const cfg = detectorConfigSchema.parse({ thread: values.thread, ...(values.threads ? { intraOpThreads: Number(values.threads) } : {}) });
const model = await loadModel(detectorFamilies, values.model ?? defaultManifest);
const detector = await openDetector(model, cfg, log);
// The idle scene: a street camera's view where nothing happens. The first frame of car-detection.mp4 (an empty road)
// held for 64 s with the temporal noise of a camera sensor (so every frame differs a little, as a real one does), so
// the RTSP stream does not end during a stage. (Its first seconds played as they are are not idle: the clip's white
// corner marks shimmer with the compression, which an installer would cover with motionMasks.)
const clipDir = mkdtempSync(join(tmpdir(), 'jifang-bench-'));
const idleClip = join(clipDir, 'idle.mp4');
const idleFilter = '[0:v]trim=end_frame=1,loop=loop=799:size=1,setpts=N/12.5/TB,noise=alls=6:allf=t[v]';
const cut = spawnSync('ffmpeg', [
  '-v',
  'error',
  '-y',
  '-i',
  sample('car-detection.mp4'),
  '-filter_complex',
  idleFilter,
  '-map',
  '[v]',
  '-an',
  '-r',
  '12.5',
  '-c:v',
  'libx264',
  '-preset',
  'veryfast',
  '-g',
  '25',
  '-pix_fmt',
  'yuv420p',
  idleClip,
]);
if (cut.status !== 0) throw new Error(`ffmpeg could not cut the idle clip: ${cut.stderr.toString()}`);
const scenes = mixed ? ['/traffic', '/street', '/idle'] : ['/traffic'];
const server = await startRtspServer({ '/traffic': sample('car-detection.mp4'), '/street': sample('street.mp4'), '/idle': idleClip });
const clkTck = 100;

interface StageResult {
  cameras: number;
  mode: DetectionMode;
  /** Model inferences per second (one region = one inference). */
  inferencesPerS: number;
  carriedPerFrame: number;
  /** Per camera: analysed frames/s, inferences per analysed frame, fraction of the picture moving. */
  perCamera: { camera: string; fps: number; skippedPerS: number; inferencesPerFrame: number; motionArea: number }[];
  totalFps: number;
  /** Raw ORT on the model's full square input. */
  rawFps: number;
  /** Raw ORT on a whole analysis frame's own rows (trimPaddingTo; the same as rawFps without it). */
  rawWholeFps: number;
  ageP50: number;
  ageP99: number;
  /** Object first detected → track confirmed, ms; NaN when no track was confirmed in the stage. */
  latencyP50: number;
  latencyP99: number;
  confirmed: number;
  agentCpu: number;
  ffmpegCpu: number;
  agentRssMb: number;
  ffmpegRssMb: number;
  /** Mean ms per analysed frame, from the loop's stage timings. */
  stages: Partial<Record<StageName, number>>;
  /** Share of the wall time ONNX Runtime was running. */
  inferenceBusy: number;
  /** Inferences/s every camera at its target rate would need: Σ its inferences per analysed frame × target fps. */
  demandPerS: number;
  /** Inferences per second of ONNX Runtime's running time in the loop: what the detector could give at 100 % busy. */
  capacityPerS: number;
  /** Share of the wall time the agent's busiest thread (ONNX Runtime's, when it is the bottleneck) was on a CPU. */
  busiestThreadCpu: number;
  /** The bench's RTSP server (% of one core): on a site the cameras serve their own streams. */
  serverCpu: number;
}

try {
  if (soakSeconds !== undefined) await soak(Number(values['soak-cameras']), soakSeconds);
  else {
    const results: StageResult[] = [];
    for (const n of counts) {
      for (const mode of modes) {
        results.push(await stage(n, seconds, mode));
        // Each stage as it completes: on a loaded machine a later stage may not get its cameras streaming.
        process.stdout.write(
          `stage done: ${JSON.stringify(results.at(-1), (k, v) => (typeof v === 'number' ? Math.round(v * 100) / 100 : k === 'perCamera' ? undefined : v))}\n`,
        );
      }
    }
    print(results);
  }
} finally {
  await detector.close();
  await server.stop();
  rmSync(clipDir, { recursive: true, force: true });
}

/**
 * Raw ORT limit right now: its own session with the detector's options, fed a preprocessed frame, ~3 s. `trimmed`:
 * the whole frame on its own rows (the manifest's trimPaddingTo), as the detector runs it; otherwise the model file
 * on its full square input.
 */
async function rawOrtFps(m: LoadedModel, trimmed = false): Promise<number> {
  const input = trimmed ? m.manifest.input : { ...m.manifest.input, trimPaddingTo: undefined };
  const pre = new Preprocessor(input);
  const { rows } = pre.fill({ data: new Uint8Array(width * height * 3).fill(90), width, height }, { x: 0, y: 0, width, height });
  const session = await openSession(trimmed ? await modelSource(m) : m.modelPath, cfg, log);
  const tensor = new ort.Tensor('float32', pre.input.subarray(0, 3 * input.width * rows), [1, 3, rows, input.width]);
  const feeds = { [input.name ?? session.inputNames[0]]: tensor };
  for (let i = 0; i < 5; i++) await session.run(feeds);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 3000) {
    await session.run(feeds);
    n++;
  }
  const rate = (n * 1000) / (performance.now() - t0);
  await session.release();
  return rate;
}

interface Running {
  loop: FrameLoop;
  sources: CameraSource[];
  ages: number[];
  latencies: number[];
  counts: { inferences: number; carried: number; frames: number };
  stop(): Promise<void>;
}

async function startCameras(n: number, det: Detector, mode: DetectionMode = 'every_frame'): Promise<Running> {
  const ages: number[] = [];
  const latencies: number[] = [];
  const counts = { inferences: 0, carried: 0, frames: 0 };
  const sources = Array.from(
    { length: n },
    (_, i) =>
      new CameraSource(
        cameraSourceSchema.parse({ id: `cam${i + 1}`, url: server.url(scenes[i % scenes.length]), analysis: { fps, width, height } }),
        log,
      ),
  );
  const gateCamera = { analysis: { width, height }, detection: detectionConfigSchema.parse({ mode }), privacyMasks: [], motionMasks: [] };
  const lanes = new Map(
    sources.map((s) => [
      s.camera,
      {
        gate: new DetectionGate(gateCamera, det, [], model.manifest.input),
        tracker: createTracker(),
        tracks: [] as Track[],
        confirmed: new Set<number>(),
      },
    ]),
  );
  const loop = new FrameLoop({
    registry: new Registry(),
    log,
    depth,
    process: async (frame, ctx) => {
      const lane = lanes.get(frame.camera)!;
      const startedAt = Date.now();
      const g = await lane.gate.detect(frame, frame.receivedAt, lane.tracks);
      if (g.inferences > 0) {
        ctx.recordDetect(det.lastTimings);
        ages.push(startedAt - frame.receivedAt + det.lastTimings.preprocessMs);
      }
      if (g.motionMs > 0) ctx.record('motion', g.motionMs);
      const t = performance.now();
      lane.tracks = lane.tracker.update(g.detections, frame.receivedAt, g.view);
      ctx.record('track', performance.now() - t);
      // The tracker returns confirmed tracks only: a new id is a confirmation, now.
      const confirmedAt = Date.now();
      for (const tr of lane.tracks) {
        if (lane.confirmed.has(tr.id)) continue;
        lane.confirmed.add(tr.id);
        latencies.push(confirmedAt - tr.firstSeen);
      }
      const carried = lane.gate.countCarried(lane.tracks);
      ctx.recordDetection({
        inferences: g.inferences,
        regions: g.regions,
        motionArea: g.motionArea,
        carried,
        recalibrated: g.recalibrated,
      });
      counts.inferences += g.inferences;
      counts.carried += carried;
      counts.frames++;
    },
  });
  sources.forEach((s) => loop.addSource(s));
  loop.start();
  sources.forEach((s) => s.start());
  const until = Date.now() + 90_000;
  while (!loop.health().every((h) => h.state === 'streaming' && h.analysedFrames > 0)) {
    if (Date.now() > until)
      throw new Error(`cameras not streaming after 90 s: ${JSON.stringify(loop.health().map((h) => [h.camera, h.state, h.reason]))}`);
    await sleep(100);
  }
  return {
    loop,
    sources,
    ages,
    latencies,
    counts,
    stop: async () => {
      await Promise.all(sources.map((s) => s.stop()));
      await loop.stop();
    },
  };
}

async function stage(n: number, secs: number, mode: DetectionMode): Promise<StageResult> {
  const rawBefore = await rawOrtFps(model);
  const rawWholeBefore = await rawOrtFps(model, true);
  const run = await startCameras(n, detector, mode);
  // Past the start-up (full-frame passes while the motion background calibrates).
  await sleep(3000);
  const before = new Map(run.loop.stats().cameras.map((c) => [c.camera, c]));
  const counts0 = { ...run.counts };
  run.ages.length = 0;
  run.latencies.length = 0;
  run.loop.timings.takeSnapshot();
  const cpu0 = process.cpuUsage();
  const kids0 = children('ffmpeg');
  const server0 = children('python3');
  const threads0 = threadTicks();
  const t0 = performance.now();
  await sleep(secs * 1000);
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const kids1 = children('ffmpeg');
  const server1 = children('python3');
  const threads1 = threadTicks();
  const busiestTicks = Math.max(0, ...[...threads1].map(([tid, t]) => t - (threads0.get(tid) ?? t)));
  const perCamera = run.loop.stats().cameras.map((c) => {
    const frames = c.analysedFrames - (before.get(c.camera)?.analysedFrames ?? 0);
    const inferences = c.detection.inferences - (before.get(c.camera)?.detection.inferences ?? 0);
    const skipped = c.skippedFrames - (before.get(c.camera)?.skippedFrames ?? 0);
    return {
      camera: c.camera,
      fps: frames / wallS,
      skippedPerS: skipped / wallS,
      inferencesPerFrame: frames > 0 ? inferences / frames : 0,
      motionArea: c.detection.motionArea,
    };
  });
  const ages = Float64Array.from(run.ages).sort();
  const latencies = Float64Array.from(run.latencies).sort();
  const timing = run.loop.timings.takeSnapshot().stages;
  const stages = Object.fromEntries(Object.entries(timing).map(([k, v]) => [k, v.meanMs])) as StageResult['stages'];
  const inferenceBusy = timing.inference ? (timing.inference.meanMs * timing.inference.count) / (wallS * 1000) : 0;
  const ticksBetween = (a: Map<number, { ticks: number }>, b: Map<number, { ticks: number }>) =>
    [...b].reduce((s, [pid, k]) => s + k.ticks - (a.get(pid)?.ticks ?? 0), 0);
  const ffmpegTicks = ticksBetween(kids0, kids1);
  const frames = run.counts.frames - counts0.frames;
  const inferencesPerS = (run.counts.inferences - counts0.inferences) / wallS;
  const result: StageResult = {
    cameras: n,
    mode,
    inferencesPerS,
    carriedPerFrame: frames > 0 ? (run.counts.carried - counts0.carried) / frames : 0,
    perCamera,
    totalFps: perCamera.reduce((s, c) => s + c.fps, 0),
    rawFps: rawBefore,
    rawWholeFps: rawWholeBefore,
    ageP50: quantile(ages, 0.5),
    ageP99: quantile(ages, 0.99),
    latencyP50: quantile(latencies, 0.5),
    latencyP99: quantile(latencies, 0.99),
    confirmed: latencies.length,
    agentCpu: (cpu.user + cpu.system) / 1e4 / wallS,
    ffmpegCpu: (ffmpegTicks / clkTck / wallS) * 100,
    agentRssMb: process.memoryUsage().rss / 2 ** 20,
    ffmpegRssMb: [...kids1.values()].reduce((s, k) => s + k.rssKb, 0) / 1024,
    stages,
    inferenceBusy,
    demandPerS: perCamera.reduce((sum, c) => sum + c.inferencesPerFrame * fps, 0),
    capacityPerS: inferenceBusy > 0 ? inferencesPerS / inferenceBusy : 0,
    busiestThreadCpu: busiestTicks / clkTck / wallS,
    serverCpu: (ticksBetween(server0, server1) / clkTck / wallS) * 100,
  };
  await run.stop();
  // Load on a shared machine drifts: the raw limit is the mean of one measurement before and one after the stage.
  result.rawFps = (rawBefore + (await rawOrtFps(model))) / 2;
  result.rawWholeFps = (rawWholeBefore + (await rawOrtFps(model, true))) / 2;
  return result;
}

async function soak(n: number, secs: number): Promise<void> {
  const run = await startCameras(n, detector);
  const t0 = Date.now();
  const samples: { t: number; rss: number; heap: number; fps: number }[] = [];
  process.stdout.write(
    `soak: ${n} cameras × ${fps} fps target, ${width}×${height}, ${secs} s; resident memory of the agent process every 30 s\n`,
  );
  while (Date.now() - t0 < secs * 1000) {
    await sleep(30_000);
    const m = process.memoryUsage();
    const s = {
      t: Math.round((Date.now() - t0) / 1000),
      rss: m.rss / 2 ** 20,
      heap: m.heapUsed / 2 ** 20,
      fps: run.loop.stats().analysedFps,
    };
    samples.push(s);
    process.stdout.write(
      `  t=${String(s.t).padStart(4)} s  rss ${s.rss.toFixed(1)} MB  heap ${s.heap.toFixed(1)} MB  analysed ${s.fps.toFixed(1)}/s\n`,
    );
  }
  await run.stop();
  // The first minute includes warm-up (pools, JIT, ORT arenas); flatness is judged after it.
  const settled = samples.filter((s) => s.t >= 60).map((s) => s.rss);
  if (settled.length >= 2) {
    const lo = Math.min(...settled);
    const hi = Math.max(...settled);
    const mid = (lo + hi) / 2;
    process.stdout.write(
      `rss after the first minute: ${lo.toFixed(1)}–${hi.toFixed(1)} MB (±${(((hi - lo) / 2 / mid) * 100).toFixed(1)} % around ${mid.toFixed(1)} MB; target ±10 %)\n`,
    );
  }
}

/** This process's threads (main, workers, ONNX Runtime's): thread id → CPU ticks (user + system), from /proc. */
function threadTicks(): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, Number(fields[11]) + Number(fields[12]));
    } catch {
      // The thread ended between listing and reading.
    }
  }
  return out;
}

/** Processes this one started running `comm`: pid → CPU ticks (user + system) and resident kB, from /proc. */
function children(command: string): Map<number, { ticks: number; rssKb: number }> {
  const out = new Map<number, { ticks: number; rssKb: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      if (comm !== command || Number(fields[1]) !== process.pid) continue;
      const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${name}/status`, 'utf8'));
      out.set(Number(name), { ticks: Number(fields[11]) + Number(fields[12]), rssKb: rss ? Number(rss[1]) : 0 });
    } catch {
      // The process ended between listing and reading.
    }
  }
  return out;
}

function print(results: StageResult[]): void {
  const f1 = (x: number) => x.toFixed(1);
  const lines = [
    `model ${model.manifest.name}, ${intraOpThreadsOf(cfg)} intra-op threads, detector in ${cfg.thread === 'worker' ? 'its worker thread' : 'the main thread'}, ${depth} frame(s) in process; ${cpus().length} cores; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(
        ' ',
      )} at the end; ${width}×${height} analysis frames, no zone windows; target ${fps} fps per camera; ${seconds} s per stage; RTSP (GStreamer) serving ${mixed ? 'a mix of car-detection.mp4 (traffic), street.mp4 (parked cars) and an empty road held still (sensor noise only), camera by camera' : 'car-detection.mp4'}`,
    '',
    'cameras  detection    target/s  analysed/s  infer/s  raw ORT/s  analysed/raw  infer/raw  carried/frame  age p50  age p99 (interval)  latency p50 / p99 (tracks)  agent CPU  ffmpeg CPU  agent RSS  ffmpeg RSS',
  ];
  for (const r of results) {
    const target = r.cameras * fps;
    lines.push(
      [
        String(r.cameras).padStart(7),
        r.mode.padEnd(11),
        f1(target).padStart(9),
        f1(r.totalFps).padStart(11),
        f1(r.inferencesPerS).padStart(8),
        f1(r.rawFps).padStart(10),
        (r.totalFps / r.rawFps).toFixed(2).padStart(13),
        (r.inferencesPerS / r.rawFps).toFixed(2).padStart(10),
        r.carriedPerFrame.toFixed(1).padStart(14),
        `${r.ageP50.toFixed(0)} ms`.padStart(8),
        `${r.ageP99.toFixed(0)} ms (${(1000 / Math.min(fps, r.totalFps / r.cameras)).toFixed(0)} ms)`.padStart(19),
        `${r.latencyP50.toFixed(0)} / ${r.latencyP99.toFixed(0)} ms (${r.confirmed})`.padStart(27),
        `${r.agentCpu.toFixed(0)} %`.padStart(10),
        `${r.ffmpegCpu.toFixed(0)} %`.padStart(11),
        `${r.agentRssMb.toFixed(0)} MB`.padStart(10),
        `${r.ffmpegRssMb.toFixed(0)} MB`.padStart(11),
      ].join(' '),
    );
  }
  lines.push('', 'mean ms per analysed frame (wait = slot to dispatch) and the share of wall time ONNX Runtime ran:');
  for (const r of results) {
    const parts = (['wait', 'motion', 'preprocess', 'inference', 'decode', 'track'] as const).map(
      (k) => `${k} ${(r.stages[k] ?? 0).toFixed(1)}`,
    );
    lines.push(
      `  ${r.cameras} cameras, ${r.mode}: ${parts.join(', ')}; inference busy ${(r.inferenceBusy * 100).toFixed(0)} % (raw ORT: ${(1000 / r.rawFps).toFixed(1)} ms per inference)`,
    );
  }
  lines.push(
    '',
    'inferences/s: needed for every camera at its target (Σ inferences per frame × target fps), what the detector gives in the loop',
    `(per second of ONNX Runtime's running time), raw ORT alone on the full ${model.manifest.input.width}×${model.manifest.input.height} input and on a whole frame's rows, the share of the wall time the agent's busiest thread was on a CPU, and the RTSP server's CPU (% of one core):`,
  );
  const { input } = model.manifest;
  const wholeRows = fitWindow(width, height, input.width, input.height, input.resize, input.trimPaddingTo).rows;
  for (const r of results) {
    lines.push(
      `  ${r.cameras} cameras, ${r.mode}: needed ${f1(r.demandPerS)}/s, in the loop ${f1(r.capacityPerS)}/s, raw ${f1(r.rawFps)}/s (${wholeRows} rows: ${f1(r.rawWholeFps)}/s); busiest thread on a CPU ${(r.busiestThreadCpu * 100).toFixed(0)} %; RTSP server ${r.serverCpu.toFixed(0)} %`,
    );
  }
  lines.push(
    '',
    'per camera, achieved / target fps (frames replaced before analysis), inferences per analysed frame, moving fraction of the picture:',
  );
  for (const r of results) {
    lines.push(`  ${r.cameras} cameras, ${r.mode}:`);
    for (const c of r.perCamera)
      lines.push(
        `    ${c.camera.padEnd(6)} ${sceneOf(c.camera).padEnd(9)} ${f1(c.fps)}/${fps} fps (${f1(c.skippedPerS)}/s skipped)  ${c.inferencesPerFrame.toFixed(2)} inf/frame  motion ${(c.motionArea * 100).toFixed(1)} %`,
      );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

function sceneOf(camera: string): string {
  return scenes[(Number(camera.slice(3)) - 1) % scenes.length].slice(1);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
