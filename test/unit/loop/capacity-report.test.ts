import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../../agent/src/core/log.ts';
import { FrameLoop, type ProcessFrame } from '../../../agent/src/loop/frame-loop.ts';

/** The loop's log lines at warn and info, as an operator reads them. */
function capture(): { lines: { level: number; msg: string; cameras?: string[] }[]; log: Logger } {
  const lines: { level: number; msg: string; cameras?: string[] }[] = [];
  return { lines, log: pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s)) }) as Logger };
}

const busy =
  (ms: number): ProcessFrame =>
  () =>
    new Promise((r) => setTimeout(r, ms));

function feed(loop: FrameLoop, camera: string, targetFps: number, offerFps: number): () => void {
  const offer = loop.addLane(camera, targetFps);
  let seq = 0;
  const timer = setInterval(
    () => offer({ camera, seq: seq++, receivedAt: Date.now(), monoAt: Date.now(), data: new Uint8Array(3), width: 1, height: 1 }),
    1000 / offerFps,
  );
  return () => clearInterval(timer);
}

describe('over-capacity report (fake clock)', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'Date'] }));
  afterEach(() => vi.useRealTimers());

  it('is silent while every camera gets its target rate, even though faster streams are skipped down to it', async () => {
    const { lines, log } = capture();
    const loop = new FrameLoop({ process: busy(10), registry: new Registry(), log, reportEveryMs: 5_000 });
    const stops = [feed(loop, 'a', 5, 25), feed(loop, 'b', 2, 10)];
    loop.start();
    await vi.advanceTimersByTimeAsync(30_000);
    const stats = loop.stats();
    stops.forEach((s) => s());
    await loop.stop();
    expect(stats.cameras.every((c) => c.skippedFrames > 50)).toBe(true);
    expect(stats.overCapacity).toBe(false);
    expect(lines.filter((l) => /capacity/.test(l.msg))).toEqual([]);
  });

  it('warns with the figures when a camera falls short, and says when it is back', async () => {
    const { lines, log } = capture();
    let ms = 250;
    // One model shared by the cameras: one inference at a time, though the loop hands it two frames.
    let last: Promise<void> = Promise.resolve();
    const loop = new FrameLoop({
      process: () => (last = last.then(() => new Promise<void>((r) => setTimeout(r, ms)))),
      registry: new Registry(),
      log,
      reportEveryMs: 5_000,
    });
    const stops = [feed(loop, 'a', 5, 5), feed(loop, 'b', 5, 5)];
    loop.start();
    await vi.advanceTimersByTimeAsync(20_000);
    ms = 10;
    await vi.advanceTimersByTimeAsync(30_000);
    stops.forEach((s) => s());
    await loop.stop();
    const reports = lines.filter((l) => /capacity/.test(l.msg));
    expect(reports.map((l) => l.level)).toEqual([40, 30]);
    // 4 frames a second between two cameras of 5 fps: about 2 each, 60% short.
    const m =
      /^over capacity: analysing ([\d.]+) of 10 fps in all; short: a ([\d.]+) of 5 fps, b ([\d.]+) of 5 fps; every camera slowed in proportion$/.exec(
        reports[0].msg,
      );
    expect(m, reports[0].msg).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(3.4);
    expect(Number(m![1])).toBeLessThanOrEqual(4);
    for (const fps of [m![2], m![3]]) expect(Math.abs(Number(fps) - 2)).toBeLessThanOrEqual(0.3);
    expect(reports[0].cameras).toEqual([
      expect.stringMatching(/^a [\d.]+\/5 fps \((5|6)\d% short\)$/),
      expect.stringMatching(/^b [\d.]+\/5 fps \((5|6)\d% short\)$/),
    ]);
    expect(reports[1].msg).toBe('back within capacity: every camera at its target rate');
  });
});
