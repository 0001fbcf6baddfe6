import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../agent/src/core/log.ts';
import { cameraSourceSchema } from '../../agent/src/ingest/config.ts';
import { CameraSource } from '../../agent/src/ingest/source.ts';
import { frameCodedSource, frameIndex } from '../helpers/coded-footage.ts';

describe('a raw H.264 elementary stream (.h264, no container, no timestamps) with loop: true', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'jifang-raw-loop-'));
    // 2 s of the real footage, frame numbers burnt in, written as a bare Annex B stream.
    file = frameCodedSource(dir, {
      name: 'clip.h264',
      seconds: 2,
      encoder: ['-c:v', 'libx264', '-preset', 'veryfast', '-g', '12', '-bf', '0'],
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('plays again from the start each time it ends, and keeps streaming', async () => {
    const src = new CameraSource(
      cameraSourceSchema.parse({ id: 'raw', url: file, loop: true, analysis: { fps: 5, width: 192, height: 108 } }),
      silentLogger,
    );
    const indices: number[] = [];
    let restarts = 0;
    const looped = new Promise<void>((resolve) => {
      src.on('frame', (f) => {
        const n = frameIndex(f.data, f.width, f.height);
        src.recycle(f);
        // The footage's frame number falls back to the start: a new pass.
        if (indices.length > 0 && n < indices[indices.length - 1]) restarts++;
        indices.push(n);
        if (restarts >= 2) resolve();
      });
      // One pass and done is the failure this test is about: stop waiting then.
      src.on('state', (st) => st.state === 'stopped' && resolve());
    });
    src.start();
    try {
      await looped;
      expect(restarts).toBeGreaterThanOrEqual(2);
      expect(src.status().state).toBe('streaming');
      // Each pass starts at the first frames of the file and reaches its last second.
      const passStarts = indices.filter((n, i) => i > 0 && n < indices[i - 1]);
      for (const n of passStarts) expect(n).toBeLessThan(5);
      expect(Math.max(...indices)).toBeGreaterThanOrEqual(20);
    } finally {
      await src.stop();
    }
  }, 60_000);
});
