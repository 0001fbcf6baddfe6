import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../agent/src/core/log.ts';
import { cameraSourceSchema as sourceSchema } from '../../agent/src/ingest/config.ts';
import type { Frame } from '../../agent/src/ingest/frame.ts';
import { CameraSource } from '../../agent/src/ingest/source.ts';
import { sample } from '../helpers/paths.ts';
import { freePort } from '../helpers/ports.ts';
import { type RtspServer, startRtspServer } from '../helpers/rtsp-server.ts';

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Collects frames (copies, so the pool can reuse buffers) until `n` have arrived. */
function collect(src: CameraSource, n: number): Promise<Frame[]> {
  const frames: Frame[] = [];
  return new Promise((resolve) => {
    const onFrame = (f: Frame) => {
      frames.push({ ...f, data: Uint8Array.from(f.data) });
      src.recycle(f);
      if (frames.length === n) {
        src.off('frame', onFrame);
        resolve(frames);
      }
    };
    src.on('frame', onFrame);
  });
}

describe('camera ingest from a real RTSP server (GStreamer) serving car-detection.mp4', () => {
  let server: RtspServer;
  const sources: CameraSource[] = [];
  const source = (cfg: Record<string, unknown>, log = silentLogger) => {
    const s = new CameraSource(sourceSchema.parse({ id: 'cam1', ...cfg }), log);
    sources.push(s);
    return s;
  };

  beforeAll(async () => {
    server = await startRtspServer({ '/cam': sample('car-detection.mp4') });
  });
  afterAll(async () => {
    await Promise.all(sources.map((s) => s.stop()));
    await server?.stop();
  });

  it.each([
    ['tcp', 320, 180, 'stretch'],
    ['udp', 640, 360, 'stretch'],
  ] as const)('streams exact %s frames of %ix%i and reports streaming', async (rtspTransport, width, height, resize) => {
    const src = source({ url: server.url('/cam'), rtspTransport, analysis: { fps: 5, width, height, resize } });
    const got = collect(src, 3);
    src.start();
    const frames = await got;
    for (const f of frames) {
      expect(f.data.length).toBe(width * height * 3);
      expect([f.width, f.height, f.camera]).toEqual([width, height, 'cam1']);
    }
    expect(frames.map((f) => f.seq)).toEqual([0, 1, 2]);
    expect(frames[2].receivedAt).toBeGreaterThanOrEqual(frames[0].receivedAt);
    // Real picture content, not an all-black buffer.
    expect(new Set(frames[0].data.subarray(0, 3000)).size).toBeGreaterThan(20);
    expect(src.status()).toMatchObject({ state: 'streaming', reconnects: 0 });
    await src.stop();
    expect(src.status().state).toBe('stopped');
  });

  it('letterboxes the 768×432 stream into 416×416 with black padding below the picture', async () => {
    const src = source({ url: server.url('/cam'), analysis: { fps: 5, width: 416, height: 416, resize: 'letterbox' } });
    const got = collect(src, 1);
    src.start();
    const [f] = await got;
    await src.stop();
    expect(f.data.length).toBe(416 * 416 * 3);
    const row = (y: number) => f.data.subarray(y * 416 * 3, (y + 1) * 416 * 3);
    // 432 × 416/768 = 234 picture rows, then padding.
    expect(row(240).every((v) => v === 0)).toBe(true);
    expect(row(415).every((v) => v === 0)).toBe(true);
    expect(new Set(row(100)).size).toBeGreaterThan(20);
  });

  it('says "stream not found" for a wrong path and never logs the password', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'debug' }, new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) }));
    const src = source(
      { url: `rtsp://admin:s3cret-pw@127.0.0.1:${server.port}/no-such-path`, reconnect: { initialSeconds: 5, maxSeconds: 5 } },
      log,
    );
    src.start();
    const st = await waitFor('backoff', () => (src.status().state === 'backoff' ? src.status() : undefined));
    expect(st.reason).toMatch(/^stream not found \(404\)/);
    await src.stop();
    expect(lines.join('')).toContain('127.0.0.1');
    expect(lines.join('')).not.toContain('s3cret-pw');
    expect(src.commandLine()).toContain('rtsp://admin:***@127.0.0.1');
  });

  it('says "connection refused" when nothing listens', async () => {
    const src = source({ url: `rtsp://127.0.0.1:${await freePort()}/cam`, reconnect: { initialSeconds: 5, maxSeconds: 5 } });
    src.start();
    const st = await waitFor('backoff', () => (src.status().state === 'backoff' ? src.status() : undefined));
    expect(st.reason).toMatch(/^connection refused/);
  });
});

describe('a camera that accepts the connection but never answers', () => {
  it('is reported as "timed out" by ffmpeg before the watchdog steps in', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const addr = silent.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    const src = new CameraSource(
      sourceSchema.parse({
        id: 'mute',
        url: `rtsp://127.0.0.1:${port}/live`,
        timeoutSeconds: 1.5,
        stallSeconds: 10,
        reconnect: { initialSeconds: 5, maxSeconds: 5 },
      }),
      silentLogger,
    );
    try {
      src.start();
      const st = await waitFor('backoff', () => (src.status().state === 'backoff' ? src.status() : undefined));
      expect(st.reason).toBe('timed out: the camera did not answer');
    } finally {
      await src.stop();
      silent.close();
    }
  });
});

describe('camera ingest from files and still images', () => {
  it.each([
    ['street.png', 1441, 731, 320, 180],
    ['street-sf.jpg', 1330, 1330, 416, 416],
    ['bus.jpg', 0, 0, 97, 61],
    ['car-detection.mp4', 768, 432, 640, 360],
  ])('%s (%ix%i) gives exact %ix%i frames', async (name, _w, _h, width, height) => {
    const src = new CameraSource(
      sourceSchema.parse({ id: 'cam-file', url: sample(name), analysis: { fps: 10, width, height } }),
      silentLogger,
    );
    const got = collect(src, 2);
    src.start();
    const frames = await got;
    await src.stop();
    for (const f of frames) expect([f.width, f.height, f.data.length]).toEqual([width, height, width * height * 3]);
  });

  it('keyframesOnly decodes key frames only: the frames are car-detection.mp4 at 0, 4.8 and 9.6 s, its key frames', async () => {
    const size = { width: 160, height: 90 };
    const src = new CameraSource(
      sourceSchema.parse({ id: 'keys', url: sample('car-detection.mp4'), keyframesOnly: true, analysis: { fps: 5, ...size } }),
      silentLogger,
    );
    const got = collect(src, 3);
    src.start();
    const frames = await got;
    await src.stop();
    // The video at the key frames and half-way between them, decoded by ffmpeg on its own.
    const at = (t: number) =>
      execFileSync('ffmpeg', [
        '-v',
        'error',
        '-ss',
        String(t),
        '-i',
        sample('car-detection.mp4'),
        '-frames:v',
        '1',
        '-vf',
        'scale=160:90',
        '-f',
        'rawvideo',
        '-pix_fmt',
        'rgb24',
        '-',
      ]);
    const refs = [0, 2.4, 4.8, 7.2, 9.6].map(at);
    const diff = (a: Uint8Array, b: Uint8Array) => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]), 0) / a.length;
    const nearest = frames.map(
      (f) => [0, 2.4, 4.8, 7.2, 9.6][refs.map((r) => diff(f.data, r)).reduce((best, d, i, all) => (d < all[best] ? i : best), 0)],
    );
    expect(nearest).toEqual([0, 4.8, 9.6]);
  }, 30_000);

  it('a still image without loop ends as "stopped: end of file"', async () => {
    const src = new CameraSource(
      sourceSchema.parse({ id: 'once', url: sample('dog.jpg'), loop: false, analysis: { fps: 5, width: 64, height: 48 } }),
      silentLogger,
    );
    const got = collect(src, 1);
    src.start();
    await got;
    const st = await waitFor('stopped', () => (src.status().state === 'stopped' ? src.status() : undefined));
    expect(st.reason).toBe('end of file');
  });

  it('a missing file fails for good with "file not found"', async () => {
    const src = new CameraSource(sourceSchema.parse({ id: 'missing', url: '/nonexistent/clip.mp4' }), silentLogger);
    src.start();
    const st = await waitFor('failed', () => (src.status().state === 'failed' ? src.status() : undefined));
    expect(st.reason).toBe('file not found');
    await src.stop();
  });
});
