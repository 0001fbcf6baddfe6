import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../agent/src/core/log.ts';
import { cameraSourceSchema } from '../../agent/src/ingest/config.ts';
import { CameraSource } from '../../agent/src/ingest/source.ts';
import { nextFrame, untilState } from '../helpers/camera-source.ts';
import { sample } from '../helpers/paths.ts';
import { type RtspServer, startRtspServer } from '../helpers/rtsp-server.ts';

describe('a camera back after an outage longer than the longest backoff (real RTSP server)', () => {
  let server: RtspServer | undefined;
  let src: CameraSource | undefined;
  afterEach(async () => {
    await src?.stop();
    await server?.stop();
  });

  it('is reconnected within seconds of its return, not at the end of the backoff', async () => {
    server = await startRtspServer({ '/cam': sample('car-detection.mp4') });
    const port = server.port;
    // Every backoff is 16–24 s (20 s ± 20 %): the longest the camera may wait, from the first failure on.
    src = new CameraSource(
      cameraSourceSchema.parse({
        id: 'cam1',
        url: server.url('/cam'),
        analysis: { fps: 5, width: 160, height: 90 },
        reconnect: { initialSeconds: 20, maxSeconds: 20 },
      }),
      silentLogger,
    );
    src.start();
    await nextFrame(src);

    await server.stop();
    const downAt = Date.now();
    await untilState(src, (s) => s.state === 'backoff');
    // Down past a whole backoff: the reconnect at its end was refused, and a new full backoff has begun.
    const refused = await untilState(src, (s) => s.state === 'backoff' && s.reconnects >= 1);
    expect(refused.reason).toMatch(/^connection refused/);
    // The backoff is jittered, so its end may come before 20 s: stay down until the outage is longer than any backoff.
    await new Promise((r) => setTimeout(r, Math.max(2000, 21_000 - (Date.now() - downAt))));
    expect(Date.now() - downAt).toBeGreaterThan(20_000);

    server = await startRtspServer({ '/cam': sample('car-detection.mp4') }, port);
    const returnedAt = Date.now();
    // The camera is back well before the running backoff (16 s at the least) can end on its own …
    expect(returnedAt - refused.since).toBeLessThan(14_000);
    const frame = await nextFrame(src);
    // … and streams again before that end, within seconds of its return.
    expect(frame.receivedAt).toBeLessThan(refused.since + 16_000);
    expect(frame.receivedAt - returnedAt).toBeLessThan(8000);
    expect(src.status()).toMatchObject({ state: 'streaming' });
  }, 120_000);
});
