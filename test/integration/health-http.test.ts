import { createServer } from 'node:net';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cameraHealthSchema } from '../../agent/src/contract/health.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { type HealthHttpServer, type Healthz, startHttpServer } from '../../agent/src/health/http.ts';
import { registerHealthMetrics } from '../../agent/src/health/metrics.ts';
import { cameraSourceSchema } from '../../agent/src/ingest/config.ts';
import { CameraSource } from '../../agent/src/ingest/source.ts';
import { FrameLoop } from '../../agent/src/loop/frame-loop.ts';
import { sample } from '../helpers/paths.ts';
import { freePort } from '../helpers/ports.ts';

describe('local /healthz and /metrics over real ffmpeg cameras', () => {
  const registry = new Registry();
  let loop: FrameLoop;
  let sources: CameraSource[];
  let http: HealthHttpServer;

  beforeAll(async () => {
    sources = [
      new CameraSource(
        cameraSourceSchema.parse({ id: 'street', url: sample('street.png'), analysis: { fps: 5, width: 320, height: 160 } }),
        silentLogger,
      ),
      new CameraSource(
        cameraSourceSchema.parse({
          id: 'gate-2',
          url: `rtsp://viewer:hunter2@127.0.0.1:${await freePort()}/live`,
          reconnect: { initialSeconds: 10, maxSeconds: 10 },
        }),
        silentLogger,
      ),
    ];
    loop = new FrameLoop({ process: async () => {}, registry, log: silentLogger });
    sources.forEach((s) => loop.addSource(s));
    registerHealthMetrics(registry, () => loop.health());
    http = await startHttpServer({ port: await freePort(), host: '127.0.0.1' }, () => loop.health(), registry, silentLogger);
    loop.start();
    sources.forEach((s) => s.start());
    // Until the image camera has been analysed a few times and the RTSP camera has failed once.
    for (let i = 0; i < 200; i++) {
      const [street, gate] = loop.health();
      if (street.analysedFrames >= 3 && gate.state === 'backoff') break;
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  afterAll(async () => {
    await http?.close();
    await Promise.all(sources.map((s) => s.stop()));
    await loop?.stop();
  });

  it('GET /healthz reports every camera: streaming with counters, or down with the reason', async () => {
    const res = await fetch(`${http.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as Healthz;
    expect(body.ok).toBe(false);
    const [street, gate] = body.cameras.map((c) => cameraHealthSchema.parse(c));
    expect(street).toMatchObject({ camera: 'street', state: 'streaming', targetFps: 5, reconnects: 0 });
    expect(street.analysedFrames).toBeGreaterThanOrEqual(3);
    expect(street.lastFrameAgeSeconds).not.toBeNull();
    expect(gate).toMatchObject({ camera: 'gate-2', state: 'backoff', analysedFrames: 0, lastFrameAgeSeconds: null });
    expect(gate.reason).toMatch(/^connection refused/);
    expect(JSON.stringify(body)).not.toContain('hunter2');
  });

  it('GET /metrics is Prometheus text with camera health, loop counters and stage histograms', async () => {
    const res = await fetch(`${http.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('jifang_camera_up{camera="street"} 1');
    expect(text).toContain('jifang_camera_up{camera="gate-2"} 0');
    expect(text).toContain('jifang_camera_state{camera="gate-2",state="backoff"} 1');
    expect(text).toMatch(/jifang_frames_analysed_total\{camera="street"\} [1-9]/);
    expect(text).toMatch(/jifang_stage_duration_seconds_count\{stage="wait",camera="street"\} [1-9]/);
    expect(text).toContain('jifang_frame_age_seconds_bucket');
  });

  it('answers anything else with 404 and non-GET with 405', async () => {
    expect((await fetch(`${http.url}/`)).status).toBe(404);
    expect((await fetch(`${http.url}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  it('names the address when the port is taken', async () => {
    const blocker = createServer();
    const port = await freePort();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
    try {
      await expect(startHttpServer({ port, host: '127.0.0.1' }, () => [], new Registry(), silentLogger)).rejects.toThrow(
        `cannot serve /healthz and /metrics on 127.0.0.1:${port}: EADDRINUSE`,
      );
    } finally {
      blocker.close();
    }
  });
});
