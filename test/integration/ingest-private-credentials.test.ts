import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../agent/src/core/log.ts';
import { grabFrame } from '../../agent/src/evidence/grab.ts';
import { cameraSourceSchema } from '../../agent/src/ingest/config.ts';
import { CameraSource } from '../../agent/src/ingest/source.ts';
import { sample } from '../helpers/paths.ts';
import { type RtspServer, startRtspServer } from '../helpers/rtsp-server.ts';

const PASSWORD = 'pr1vate-Pa55';

/** This process's ffmpeg children as the kernel shows them to any local user: pid, command line, environment. */
function ffmpegChildren(): { pid: number; cmdline: string; environ: string }[] {
  const out: { pid: number; cmdline: string; environ: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (ppid !== process.pid || !/\bffmpeg\b/.test(cmdline)) continue;
      out.push({ pid: Number(entry), cmdline, environ: readFileSync(`/proc/${entry}/environ`, 'utf8') });
    } catch {
      // The process ended while being read.
    }
  }
  return out;
}

describe('camera passwords stay off ffmpeg command lines (real RTSP server with basic auth)', () => {
  let server: RtspServer;
  beforeAll(async () => {
    server = await startRtspServer({ '/cam': sample('car-detection.mp4') }, undefined, { auth: `admin:${PASSWORD}` });
  });
  afterAll(async () => {
    await server?.stop();
  });
  const url = (password: string) => `rtsp://admin:${password}@127.0.0.1:${server.port}/cam`;

  it('streams frames while neither /proc/PID/cmdline nor environ of its ffmpeg holds the password', async () => {
    const src = new CameraSource(
      cameraSourceSchema.parse({ id: 'cam1', url: url(PASSWORD), analysis: { fps: 5, width: 160, height: 90 } }),
      silentLogger,
    );
    const frame = new Promise<void>((resolve) =>
      src.once('frame', (f) => {
        src.recycle(f);
        resolve();
      }),
    );
    src.start();
    try {
      await frame;
      const children = ffmpegChildren();
      expect(children).toHaveLength(1);
      const [ffmpeg] = children;
      expect(ffmpeg.cmdline).not.toContain(PASSWORD);
      expect(ffmpeg.environ).not.toContain(PASSWORD);
      expect(ffmpeg.cmdline).toContain('pipe:3');
      // The list came through an anonymous pipe (a socket pair): no file in the file system ever held it.
      expect(readlinkSync(`/proc/${ffmpeg.pid}/fd/3`)).toMatch(/^(pipe|socket):\[\d+\]$/);
      expect(src.status().state).toBe('streaming');
    } finally {
      await src.stop();
    }
  }, 60_000);

  it('still names a wrong password: unauthorised (401)', async () => {
    const src = new CameraSource(
      cameraSourceSchema.parse({ id: 'cam1', url: url('wr0ng'), reconnect: { initialSeconds: 5, maxSeconds: 5 } }),
      silentLogger,
    );
    src.start();
    try {
      const until = Date.now() + 30_000;
      while (src.status().state !== 'backoff' && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect(src.status().reason).toMatch(/^unauthorised \(401\)/);
    } finally {
      await src.stop();
    }
  }, 60_000);

  it('an evidence grab with credentials gets its frame the same way', async () => {
    const img = await grabFrame(url(PASSWORD), { rtspTransport: 'tcp', timeoutMs: 15_000 });
    expect([img.width, img.height]).toEqual([768, 432]);
  }, 30_000);
});
