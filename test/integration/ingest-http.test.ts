import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../agent/src/core/log.ts';
import { cameraSourceSchema } from '../../agent/src/ingest/config.ts';
import type { Frame } from '../../agent/src/ingest/frame.ts';
import { CameraSource, type SourceStatus } from '../../agent/src/ingest/source.ts';
import { sample } from '../helpers/paths.ts';

/** Frames (copied) until `n` arrived, then the source's status. */
async function framesFrom(cfg: Record<string, unknown>, n: number): Promise<{ frames: Frame[]; status: SourceStatus }> {
  const src = new CameraSource(cameraSourceSchema.parse({ id: 'cam-http', ...cfg }), silentLogger);
  const frames: Frame[] = [];
  await new Promise<void>((resolve) => {
    src.on('frame', (f) => {
      if (frames.length < n) frames.push({ ...f, data: Uint8Array.from(f.data) });
      src.recycle(f);
      if (frames.length === n) resolve();
    });
    src.start();
  });
  const status = src.status();
  await src.stop();
  return { frames, status };
}

function ffmpegOk(args: string[]): void {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${r.stderr}`);
}

describe('camera ingest over HTTP: MJPEG like an IP camera, HLS like an NVR', () => {
  let server: Server;
  let base: string;
  const encoders: ChildProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'jifang-hls-'));

  beforeAll(async () => {
    ffmpegOk([
      '-i',
      sample('car-detection.mp4'),
      '-t',
      '12',
      '-c',
      'copy',
      '-f',
      'hls',
      '-hls_time',
      '2',
      '-hls_playlist_type',
      'vod',
      join(dir, 'index.m3u8'),
    ]);
    server = createServer((req, res) => {
      if (req.url === '/private.mjpg') {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="camera"' }).end();
        return;
      }
      if (req.url === '/video.mjpg') {
        // A live multipart JPEG stream, encoded in real time from the sample (boundary as ffmpeg's mpjpeg writes it).
        const enc = spawn('ffmpeg', [
          '-hide_banner',
          '-loglevel',
          'error',
          '-re',
          '-stream_loop',
          '-1',
          '-i',
          sample('car-detection.mp4'),
          '-an',
          '-q:v',
          '6',
          '-f',
          'mpjpeg',
          'pipe:1',
        ]);
        encoders.push(enc);
        res.writeHead(200, { 'Content-Type': 'multipart/x-mixed-replace;boundary=ffmpeg' });
        enc.stdout.pipe(res);
        res.on('close', () => enc.kill('SIGKILL'));
        return;
      }
      try {
        const body = readFileSync(join(dir, (req.url ?? '').replace(/^\/hls\//, '')));
        res.writeHead(200, { 'Content-Type': req.url?.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : 'video/mp2t' });
        res.end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(async () => {
    encoders.forEach((e) => e.kill('SIGKILL'));
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('MJPEG over HTTP gives exact frames', async () => {
    const { frames, status } = await framesFrom({ url: `${base}/video.mjpg`, analysis: { fps: 5, width: 384, height: 216 } }, 3);
    frames.forEach((f) => expect([f.width, f.height, f.data.length]).toEqual([384, 216, 384 * 216 * 3]));
    expect(status).toMatchObject({ state: 'streaming', streamSize: { width: 768, height: 432 } });
  });

  it('HLS gives exact frames', async () => {
    const { frames, status } = await framesFrom({ url: `${base}/hls/index.m3u8`, analysis: { fps: 5, width: 320, height: 180 } }, 3);
    frames.forEach((f) => expect([f.width, f.height, f.data.length]).toEqual([320, 180, 320 * 180 * 3]));
    expect(status.state).toBe('streaming');
  });

  it.each([
    ['a wrong path', '/hls/nope.m3u8', [], /^stream not found \(404\)/],
    ['a wrong password', '/private.mjpg', [], /^unauthorised \(401\): check the user name and password$/],
    [
      'a hardware decoder this ffmpeg lacks',
      '/video.mjpg',
      ['-hwaccel', 'rkmpp'],
      /^hardware decoder "rkmpp" is not available in this ffmpeg build \(check inputOptions\)$/,
    ],
  ])('names %s', async (_what, path, inputOptions, reason) => {
    const url = `${base}${path}`.replace('http://', 'http://admin:wrong-pw@');
    const src = new CameraSource(
      cameraSourceSchema.parse({ id: 'cam-http', url, inputOptions, reconnect: { initialSeconds: 5, maxSeconds: 5 } }),
      silentLogger,
    );
    const down = new Promise<SourceStatus>((resolve) => src.on('state', (s) => s.state === 'backoff' && resolve(s)));
    src.start();
    expect((await down).reason).toMatch(reason);
    await src.stop();
  });
});

describe('a stream that changes resolution mid-stream', () => {
  it('is detected and counted while frames stay at the analysis size', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jifang-resize-'));
    const parts = [
      ['320x240', join(dir, 'a.ts')],
      ['640x360', join(dir, 'b.ts')],
    ];
    for (const [size, file] of parts)
      ffmpegOk(['-f', 'lavfi', '-i', `testsrc=size=${size}:rate=10`, '-t', '1', '-c:v', 'libx264', '-g', '5', file]);
    const joined = join(dir, 'ab.ts');
    writeFileSync(joined, Buffer.concat(parts.map(([, f]) => readFileSync(f))));
    const src = new CameraSource(
      cameraSourceSchema.parse({ id: 'resize', url: joined, loop: false, analysis: { fps: 10, width: 160, height: 90 } }),
      silentLogger,
    );
    const sizes = new Set<string>();
    src.on('frame', (f) => {
      sizes.add(`${f.width}x${f.height}:${f.data.length}`);
      src.recycle(f);
    });
    const ended = new Promise<SourceStatus>((resolve) => src.on('state', (s) => s.state === 'stopped' && resolve(s)));
    src.start();
    const st = await ended;
    expect(st.reason).toBe('end of file');
    expect(st.sizeChanges).toBe(1);
    expect(st.streamSize).toEqual({ width: 640, height: 360 });
    expect(st.framesRead).toBeGreaterThanOrEqual(15);
    expect([...sizes]).toEqual([`160x90:${160 * 90 * 3}`]);
  });
});
