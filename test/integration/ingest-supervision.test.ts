import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../agent/src/core/log.ts';
import { cameraSourceSchema as sourceSchema } from '../../agent/src/ingest/config.ts';
import { CameraSource } from '../../agent/src/ingest/source.ts';
import { nextFrame, untilState } from '../helpers/camera-source.ts';
import { sample } from '../helpers/paths.ts';
import { type RtspServer, startRtspServer } from '../helpers/rtsp-server.ts';

describe('camera supervision against a real RTSP server (GStreamer)', () => {
  let server: RtspServer | undefined;
  let src: CameraSource | undefined;
  afterEach(async () => {
    await src?.stop();
    if (server) {
      server.proc.kill('SIGCONT');
      await server.stop();
    }
  });

  it('server killed → backoff with a reason; server back → frames again within 5 s of its return', async () => {
    server = await startRtspServer({ '/cam': sample('car-detection.mp4') });
    const port = server.port;
    // A short backoff cap: the 5 s promise holds for outages of any length only when the cap allows it.
    src = new CameraSource(
      sourceSchema.parse({
        id: 'cam1',
        url: server.url('/cam'),
        analysis: { fps: 5, width: 320, height: 180 },
        reconnect: { initialSeconds: 0.5, maxSeconds: 1 },
      }),
      silentLogger,
    );
    src.start();
    await nextFrame(src);

    await server.stop();
    const down = await untilState(src, (s) => s.state === 'backoff');
    expect(down.reason).toMatch(/stream ended|connection refused/);
    await untilState(src, (s) => s.reason?.startsWith('connection refused') === true);
    expect(src.status().state).not.toBe('streaming');

    server = await startRtspServer({ '/cam': sample('car-detection.mp4') }, port);
    const returnedAt = Date.now();
    const frame = await nextFrame(src);
    expect(frame.receivedAt - returnedAt).toBeLessThan(5000);
    expect(src.status()).toMatchObject({ state: 'streaming', camera: 'cam1' });
    expect(src.status().reason).toBeUndefined();
    expect(src.status().reconnects).toBeGreaterThanOrEqual(2);
  });

  it('a wrong camera password is reported as unauthorised (401) and never shown; the right one streams', async () => {
    server = await startRtspServer({ '/cam': sample('car-detection.mp4') }, undefined, { auth: 'admin:s3cret' });
    const url = (password: string) => `rtsp://admin:${password}@127.0.0.1:${server!.port}/cam`;
    src = new CameraSource(
      sourceSchema.parse({ id: 'cam1', url: url('wr0ng-pa55'), analysis: { fps: 5, width: 320, height: 180 } }),
      silentLogger,
    );
    src.start();
    const refused = await untilState(src, (s) => s.state === 'backoff');
    expect(refused.reason).toMatch(/^unauthorised \(401\)/);
    expect(JSON.stringify(src.status())).not.toContain('wr0ng-pa55');
    await src.stop();

    src = new CameraSource(
      sourceSchema.parse({ id: 'cam1', url: url('s3cret'), analysis: { fps: 5, width: 320, height: 180 } }),
      silentLogger,
    );
    src.start();
    const frame = await nextFrame(src);
    expect([frame.width, frame.height]).toEqual([320, 180]);
    expect(src.status()).toMatchObject({ state: 'streaming' });
  });

  it('a stream that stops sending without closing (server SIGSTOPped) is restarted by the watchdog', async () => {
    server = await startRtspServer({ '/cam': sample('car-detection.mp4') });
    src = new CameraSource(
      sourceSchema.parse({
        id: 'cam1',
        url: server.url('/cam'),
        analysis: { fps: 5, width: 320, height: 180 },
        stallSeconds: 2,
        timeoutSeconds: 30,
        reconnect: { initialSeconds: 0.5, maxSeconds: 1 },
      }),
      silentLogger,
    );
    src.start();
    await nextFrame(src);
    server.proc.kill('SIGSTOP');
    const stalled = await untilState(src, (s) => s.state === 'backoff');
    expect(stalled.reason).toMatch(/^stalled: no frame for [0-9.]+ s$/);
    await untilState(src, (s) => s.reconnects >= 1);

    server.proc.kill('SIGCONT');
    await nextFrame(src);
    expect(src.status().state).toBe('streaming');
  });
});
