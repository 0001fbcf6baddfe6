import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Box, RgbImage } from '../../agent/src/core/geometry.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { evidenceConfigSchema } from '../../agent/src/evidence/config.ts';
import { grabFrame } from '../../agent/src/evidence/grab.ts';
import { type EvidenceCamera, EvidenceService } from '../../agent/src/evidence/service.ts';
import { type PlateOfferOptions, PlateVotes } from '../../agent/src/plate/evidence-reads.ts';
import { loadPlateModels } from '../../agent/src/plate/models.ts';
import { createPlateReader, type PlateReader } from '../../agent/src/plate/reader.ts';
import { sharedDir } from '../helpers/paths.ts';
import { type RtspServer, startRtspServer } from '../helpers/rtsp-server.ts';

/**
 * Plates read on the main stream at full resolution: HyperLPR3's street photo as a camera whose sub stream (the one
 * analysed) is a 640×360 copy and whose main stream is the 1920×1080 original, both H.264 over the real RTSP server.
 * Each file lasts five minutes, longer than the test: the server plays it once per session. At 640×360 the white car's
 * green plate is 40 pixels wide, too small to read; at 1920×1080 it reads.
 */
const photo = join(sharedDir, 'plates', 'hyperlpr-test_img.jpg');
// The white car's box in the 640×360 analysis frame (the detector's 1920×1080 box ÷ 3).
const CAR: Box = { x1: 194, y1: 110, x2: 628, y2: 329 };

function stream(dir: string, name: string, width: number, height: number): string {
  const short = join(dir, `${name}-10s.mp4`);
  const out = join(dir, `${name}.mp4`);
  execFileSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-loop', '1', '-framerate', '10', '-t', '10', '-i', photo],
    ...['-vf', `scale=${width}:${height}`, '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'stillimage', '-crf', '20'],
    ...['-g', '10', '-bf', '0', '-pix_fmt', 'yuv420p', '-y', short],
  ]);
  // Copied end to end rather than encoded: cheap however loaded the machine. 10 fps, not fewer: a ring frame is taken
  // a little before its segment's end, and at 2 fps no frame lies there.
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-stream_loop', '29', '-i', short, '-c', 'copy', '-y', out]);
  return out;
}

describe('plates read on the main stream at full resolution (real RTSP sub and main streams)', () => {
  let dir: string;
  let rtsp: RtspServer;
  let reader: PlateReader;
  let service: EvidenceService;
  let analysis: RgbImage;
  const camera = (id: string, evidenceUrl: string): EvidenceCamera => ({
    id,
    url: rtsp.url('/sub'),
    evidenceUrl,
    rtspTransport: 'tcp',
    timeoutSeconds: 5,
    inputOptions: [],
    loop: true,
    analysis: { fps: 2, width: 640, height: 360, resize: 'stretch' },
    privacyMasks: [],
    reconnect: { initialSeconds: 0.5, maxSeconds: 2 },
  });
  /** Three reads of the car, 0 ms apart, voted. */
  const readCar = async (cam: string, opts: PlateOfferOptions) => {
    const votes = new PlateVotes(reader, silentLogger, { intervalMs: 0 });
    for (let i = 0; i < 3; i++) {
      votes.offer(cam, analysis, [{ trackId: 1, box: CAR }], i, opts);
      await votes.idle();
    }
    return { plate: votes.consensus(cam, [1]).get(1), stats: votes.stats() };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jifang-plate-main-'));
    rtsp = await startRtspServer({ '/sub': stream(dir, 'sub', 640, 360), '/main': stream(dir, 'main', 1920, 1080) });
    const loaded = await loadPlateModels();
    if (!loaded.available) throw new Error(`plate models not provisioned: ${loaded.reason}`);
    reader = await createPlateReader(loaded.models, silentLogger);
    service = await EvidenceService.open({
      config: evidenceConfigSchema.parse({ clip: { preSeconds: 2, postSeconds: 2 } }),
      dataDir: dir,
      cameras: [camera('kerb', rtsp.url('/main')), camera('kerb-no-main', rtsp.url('/missing'))],
      timezone: 'Asia/Shanghai',
      log: silentLogger,
    });
    await service.start();
    analysis = await grabFrame(rtsp.url('/sub'), { rtspTransport: 'tcp', timeoutMs: 10_000 });
    expect([analysis.width, analysis.height]).toEqual([640, 360]);
    // The ring records the main stream: wait (however loaded the machine) until it holds a few segments.
    const list = join(dir, 'ring', 'kerb', 'segments.csv');
    for (let i = 0; i < 300 && (!existsSync(list) || readFileSync(list, 'utf8').trim().split('\n').length < 3); i++)
      await new Promise((r) => setTimeout(r, 100));
  }, 240_000);
  afterAll(async () => {
    await service?.stop();
    await reader?.close();
    await rtsp?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the analysis frame alone finds the plate but cannot read it', async () => {
    const found = await reader.read(analysis, CAR);
    expect(found.length).toBeGreaterThan(0);
    expect(found.map((p) => p.text)).not.toContain('苏ED51712');
    const { plate, stats } = await readCar('kerb', {});
    expect(plate).toBeUndefined();
    expect(stats).toMatchObject({ vehicles: 3, fullResolution: 0 });
  }, 120_000);

  it('the main stream’s frame of the moment, box mapped ×3, reads it', async () => {
    const full = await service.mainStreamFrame('kerb', Date.now() - 500);
    expect(full).toMatchObject({ sx: 3, sy: 3, image: { width: 1920, height: 1080 } });
    const { plate, stats } = await readCar('kerb', { fullFrame: () => service.mainStreamFrame('kerb', Date.now() - 500) });
    expect(plate).toMatchObject({ text: '苏ED51712', colour: 'green', rows: 1, reads: 3 });
    expect(stats).toMatchObject({ vehicles: 3, plates: 3, fullResolution: 3 });
  }, 120_000);

  it('a main stream that cannot be had falls back to the analysis frame', async () => {
    await expect(service.mainStreamFrame('kerb-no-main', Date.now())).rejects.toThrow(/evidence grab/);
    const { stats } = await readCar('kerb-no-main', { fullFrame: () => service.mainStreamFrame('kerb-no-main', Date.now()) });
    expect(stats).toMatchObject({ vehicles: 3, fullResolution: 0 });
    expect(stats.plates).toBe(3);
  }, 120_000);
});
