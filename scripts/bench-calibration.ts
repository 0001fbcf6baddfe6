// Times the calibration check (fit plus leave-one-out) that check-config and start-up run, for growing surveys.
// Usage: node --import tsx scripts/bench-calibration.ts [points...]
import type { Point } from '../agent/src/core/geometry.ts';
import { calibrationReport } from '../agent/src/geo/mapper.ts';

/** A camera 8 m up looking 35° down (focal 900 px, 1280×720); a jittered grid of surveyed spots 8–32 m ahead. */
function survey(n: number): { pixel: Point; geo: { lat: number; lon: number } }[] {
  const cols = Math.ceil(Math.sqrt(n * 1.6));
  return Array.from({ length: n }, (_, i) => {
    const e = -6 + (i % cols) * (12 / (cols - 1));
    const north = 8 + (Math.floor(i / cols) * 24) / Math.ceil(n / cols);
    const zc = north * Math.cos(0.61) + 8 * Math.sin(0.61);
    const yc = -north * Math.sin(0.61) + 8 * Math.cos(0.61);
    return { pixel: [640 + (900 * e) / zc, 360 + (900 * yc) / zc], geo: { lat: 31.23 + north / 110_900, lon: 121.47 + e / 95_000 } };
  });
}

const sizes = process.argv.slice(2).map(Number);
for (const n of sizes.length > 0 ? sizes : [10, 100, 250, 1000, 3000]) {
  const points = survey(n);
  const t = performance.now();
  const r = calibrationReport({ calibration: { units: 'pixels', points } });
  const ms = performance.now() - t;
  const heap = process.memoryUsage().heapUsed / 2 ** 20;
  console.log(
    `${String(n).padStart(5)} points: ${ms.toFixed(0).padStart(6)} ms, heap ${heap.toFixed(0)} MB, ${r?.ok ? `rms ${r.rmsMeters.toExponential(1)} m, leave-one-out max ${r.leaveOneOutMaxMeters?.toExponential(1)} m` : r?.error}`,
  );
}
