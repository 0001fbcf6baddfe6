/**
 * Motion detector cost per analysis frame (not a test): real frames of samples' car-detection.mp4 decoded by ffmpeg at
 * the analysis size, run through MotionDetector at a few grid heights. Prints ms per frame (mean and p99).
 *   npm run bench:motion -- [--width 640] [--height 360] [--frames 150]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { MotionDetector } from '../agent/src/motion/detector.ts';

const { values } = parseArgs({
  options: {
    width: { type: 'string', default: '640' },
    height: { type: 'string', default: '360' },
    frames: { type: 'string', default: '150' },
  },
});
const W = Number(values.width);
const H = Number(values.height);
const clip = ['samples/car-detection.mp4', '../shared/samples/car-detection.mp4'].find(existsSync);
if (!clip) throw new Error('car-detection.mp4 not found in samples/ or ../shared/samples: run "npm run setup"');
const raw = spawnSync(
  'ffmpeg',
  ['-v', 'error', '-i', clip, '-vf', `fps=5,scale=${W}:${H}`, '-frames:v', values.frames!, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
  { maxBuffer: 1 << 30 },
).stdout;
const size = W * H * 3;
const n = Math.floor(raw.length / size);
const frames = Array.from({ length: n }, (_, i) => ({
  data: new Uint8Array(raw.buffer, raw.byteOffset + i * size, size),
  width: W,
  height: H,
}));

// The machine's speed right now (it is shared): one plain pass reading every byte of each frame, as a yardstick.
let checksum = 0;
const refTimes: number[] = [];
for (let rep = 0; rep < 3; rep++) {
  for (const f of frames) {
    const t0 = performance.now();
    let s = 0;
    for (let i = 0; i < f.data.length; i++) s += f.data[i];
    checksum += s;
    refTimes.push(performance.now() - t0);
  }
}
const refMean = refTimes.reduce((s, t) => s + t, 0) / refTimes.length;
console.log(
  `motion detector on ${n} frames of ${clip} at ${W}×${H}; yardstick: one pass over a frame's ${size} bytes takes ${refMean.toFixed(3)} ms here now (checksum ${checksum % 997})`,
);
// On a shared machine the mean carries every preemption; the median is the detector's own cost.
const refMedian = [...refTimes].sort((a, b) => a - b)[Math.floor(refTimes.length / 2)];
console.log(`yardstick median ${refMedian.toFixed(3)} ms`);
console.log('grid rows | grid | ms/frame median | mean | p99 | median × yardstick median | motion boxes/frame');
for (const rows of [100, 120, 150, 180]) {
  const md = new MotionDetector(W, H, [], { height: rows });
  for (const f of frames) md.update(f);
  const times: number[] = [];
  let boxes = 0;
  for (let rep = 0; rep < 3; rep++) {
    for (const f of frames) {
      const t0 = performance.now();
      boxes += md.update(f).boxes.length;
      times.push(performance.now() - t0);
    }
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((s, t) => s + t, 0) / times.length;
  console.log(
    `${rows} | ${md.grid.width}×${md.grid.height} | ${times[Math.floor(times.length / 2)].toFixed(3)} | ${mean.toFixed(3)} | ${times[Math.floor(times.length * 0.99)].toFixed(3)} | ${(times[Math.floor(times.length / 2)] / refMedian).toFixed(2)} | ${(boxes / times.length).toFixed(1)}`,
  );
}
