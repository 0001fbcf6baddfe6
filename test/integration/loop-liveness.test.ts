import { Worker } from 'node:worker_threads';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../agent/src/core/log.ts';
import { FrameLoop } from '../../agent/src/loop/frame-loop.ts';

describe('frame loop liveness', () => {
  let worker: Worker | undefined;
  afterEach(async () => {
    await worker?.terminate();
  });

  it('a CPU-bound process() (stub busy for 20 ms) does not starve timers while frames keep arriving from another thread', async () => {
    const loop = new FrameLoop({
      registry: new Registry(),
      log: silentLogger,
      process: async () => {
        const until = performance.now() + 20;
        while (performance.now() < until);
      },
    });
    const offer = loop.addLane('cam', 60);
    // Frames as the ingest worker delivers them: messages from another thread, faster than the loop can analyse.
    worker = new Worker(
      'const { parentPort } = require("node:worker_threads"); setInterval(() => parentPort.postMessage(Date.now()), 5);',
      { eval: true },
    );
    let seq = 0;
    // A worker thread can take a while to start on a loaded machine: the measurement begins with its first frame.
    const first = new Promise((r) => worker!.once('message', r));
    worker.on('message', (receivedAt: number) =>
      offer({ camera: 'cam', seq: seq++, receivedAt, monoAt: receivedAt, data: new Uint8Array(3), width: 1, height: 1 }),
    );
    await first;
    loop.start();
    await new Promise((r) => setTimeout(r, 300));
    const asked = Date.now();
    const firedAfter = await new Promise<number>((resolve) => setTimeout(() => resolve(Date.now() - asked), 100));
    await loop.stop();
    expect(loop.stats().cameras[0].analysedFrames).toBeGreaterThan(5);
    // Generous: a starved timer waits for the whole message backlog (seconds), a served one for about one frame.
    expect(firedAfter).toBeLessThan(1000);
  });
});
