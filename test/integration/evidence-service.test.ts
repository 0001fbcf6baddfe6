import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditLog, listAuditFiles, openAuditLog } from '../../agent/src/audit/audit-log.ts';
import { verifyAuditFiles } from '../../agent/src/audit/verify.ts';
import type { RgbImage } from '../../agent/src/core/geometry.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { compilePrivacyMask } from '../../agent/src/core/privacy-mask.ts';
import { probeDuration } from '../../agent/src/evidence/clip.ts';
import { evidenceConfigSchema } from '../../agent/src/evidence/config.ts';
import { grabFrame } from '../../agent/src/evidence/grab.ts';
import { type EvidenceCamera, EvidenceService } from '../../agent/src/evidence/service.ts';
import { sample } from '../helpers/paths.ts';
import { type RtspServer, startRtspServer } from '../helpers/rtsp-server.ts';

/** A main stream at twice the sub stream's resolution, from the real footage (1 s key frames). */
function mainStream(dir: string): string {
  const out = join(dir, 'main.mp4');
  const r = spawnSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-i',
    sample('car-detection.mp4'),
    '-vf',
    'scale=1536:864',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-g',
    '12',
    '-bf',
    '0',
    '-an',
    out,
  ]);
  if (r.status !== 0) throw new Error(`cannot build the main stream: ${r.stderr}`);
  return out;
}

async function decode(jpeg: Buffer): Promise<RgbImage> {
  const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}
const rgb = (img: RgbImage, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));

const MASK: [number, number][] = [
  [0.6, 0.1],
  [0.95, 0.1],
  [0.95, 0.5],
  [0.6, 0.5],
];

describe('evidence service (real RTSP main and sub streams, real ffmpeg)', () => {
  let server: RtspServer;
  let dir: string;
  let audit: AuditLog;
  let service: EvidenceService;
  let analysisFrame: RgbImage;

  const camera = (over: Partial<EvidenceCamera> = {}): EvidenceCamera => ({
    id: 'cam1',
    name: '东门 east gate',
    url: server.url('/sub'),
    evidenceUrl: server.url('/main'),
    rtspTransport: 'tcp',
    timeoutSeconds: 5,
    inputOptions: [],
    loop: false,
    analysis: { fps: 5, width: 384, height: 216, resize: 'stretch' },
    privacyMasks: [MASK],
    reconnect: { initialSeconds: 0.5, maxSeconds: 2 },
    ...over,
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jifang-evidence-svc-'));
    server = await startRtspServer({ '/sub': sample('car-detection.mp4'), '/main': mainStream(dir) });
    audit = await openAuditLog(join(dir, 'audit'), silentLogger);
    const config = evidenceConfigSchema.parse({
      clip: { preSeconds: 2, postSeconds: 2, encoder: ['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '30'] },
      pixelate: {},
    });
    service = await EvidenceService.open({
      config,
      dataDir: dir,
      timezone: 'Asia/Shanghai',
      audit,
      log: silentLogger,
      cameras: [camera(), camera({ id: 'cam2', evidenceUrl: server.url('/missing'), privacyMasks: [] })],
    });
    await service.start();
    // What ingest hands over: the sub stream scaled to the analysis size, privacy-masked.
    const sub = await grabFrame(server.url('/sub'), { rtspTransport: 'tcp', timeoutMs: 5000 });
    const { data } = await sharp(sub.data, { raw: { width: sub.width, height: sub.height, channels: 3 } })
      .resize(384, 216, { fit: 'fill' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    analysisFrame = { data: new Uint8Array(data), width: 384, height: 216 };
    compilePrivacyMask(camera().privacyMasks).apply(analysisFrame);
  });

  afterAll(async () => {
    await service?.stop();
    await audit?.close();
    await server?.stop();
  });

  it('takes the snapshot from the main stream at full resolution, boxes mapped, mask black, thumbnail bounded; keeps the undrawn frame with the boxes', async () => {
    // The moment must lie inside the ring: wait (however loaded the machine) until it has recorded a few segments
    // besides the first, which the ring leaves out.
    const list = join(dir, 'ring', 'cam1', 'segments.csv');
    for (let i = 0; i < 300 && (!existsSync(list) || readFileSync(list, 'utf8').trim().split('\n').length < 4); i++)
      await new Promise((r) => setTimeout(r, 100));
    const at = Date.now() - 500;
    const snap = await service.snapshot({
      eventId: 'cam1-e1',
      camera: 'cam1',
      frame: analysisFrame,
      at,
      objects: [{ box: { x1: 40, y1: 120, x2: 140, y2: 200 }, label: 'car', score: 0.8, trackId: 3 }],
      zone: {
        name: 'no parking',
        polygon: [
          [10, 100],
          [200, 100],
          [200, 210],
          [10, 210],
        ],
      },
      trainingFrame: true,
    });
    expect(snap).toMatchObject({ source: 'evidence', width: 1536, height: 864 });
    const img = await decode(snap.jpeg);
    // Box left edge: x 40 × 4 = 160, between y 480 and 800.
    const [r, g, b] = rgb(img, 160, 640);
    expect(r).toBeGreaterThan(200);
    expect(Math.max(g, b)).toBeLessThan(110);
    // Mask interior, one macroblock in from its edges: black.
    let brightest = 0;
    for (let y = Math.ceil(0.1 * 864) + 16; y < 0.5 * 864 - 16; y += 3)
      for (let x = Math.ceil(0.6 * 1536) + 16; x < 0.95 * 1536 - 16; x += 3) brightest = Math.max(brightest, ...rgb(img, x, y));
    expect(brightest).toBeLessThanOrEqual(8);
    expect(Buffer.from(snap.thumbnail.base64, 'base64').length).toBeLessThanOrEqual(20_000);
    expect(readFileSync(snap.file.path)).toEqual(snap.jpeg);
    expect(service.find(snap.sha256)?.path).toBe(snap.file.path);

    // The same picture without the drawing, its boxes in its own (full-resolution) pixels: training material.
    const frame = service.store.get('cam1-e1')!.files.find((f) => f.kind === 'frame')!;
    expect(frame.info).toMatchObject({
      width: 1536,
      height: 864,
      source: 'evidence',
      objects: [{ label: 'car', score: 0.8, trackId: 3, box: { x1: 160, y1: 480, x2: 560, y2: 800 } }],
    });
    const clean = await decode(readFileSync(frame.path));
    const [cr, cg, cb] = rgb(clean, 160, 640);
    expect(cr > 200 && Math.max(cg, cb) < 110, `no red box edge where the snapshot has one: ${[cr, cg, cb]}`).toBe(false);
    let cleanBrightest = 0;
    for (let y = Math.ceil(0.1 * 864) + 16; y < 0.5 * 864 - 16; y += 3)
      for (let x = Math.ceil(0.6 * 1536) + 16; x < 0.95 * 1536 - 16; x += 3) cleanBrightest = Math.max(cleanBrightest, ...rgb(clean, x, y));
    expect(cleanBrightest).toBeLessThanOrEqual(8);
  }, 90_000);

  it('grabs one full-resolution frame from the main stream, and names a missing stream', async () => {
    const main = await grabFrame(server.url('/main'), { rtspTransport: 'tcp', timeoutMs: 5000 });
    expect([main.width, main.height, main.data.length]).toEqual([1536, 864, 1536 * 864 * 3]);
    await expect(grabFrame(server.url('/missing'), { rtspTransport: 'tcp', timeoutMs: 5000 })).rejects.toThrow(/stream not found \(404\)/);
  });

  it('falls back to the analysis frame when the evidence stream cannot be read', async () => {
    const snap = await service.snapshot({ eventId: 'cam2-e1', camera: 'cam2', frame: analysisFrame, at: Date.now(), objects: [] });
    expect(snap).toMatchObject({ source: 'analysis', width: 384, height: 216 });
  });

  it('after a reload that changes the masks, the next evidence snapshot blacks out the new ones', async () => {
    const added: [number, number][] = [
      [0.05, 0.05],
      [0.4, 0.05],
      [0.4, 0.4],
      [0.05, 0.4],
    ];
    const brightestIn = (img: RgbImage, [[x0, y0], , [x1, y1]]: [number, number][]) => {
      let m = 0;
      for (let y = Math.ceil(y0 * 864) + 16; y < y1 * 864 - 16; y += 3)
        for (let x = Math.ceil(x0 * 1536) + 16; x < x1 * 1536 - 16; x += 3) m = Math.max(m, ...rgb(img, x, y));
      return m;
    };
    const shot = async (eventId: string) =>
      decode((await service.snapshot({ eventId, camera: 'cam1', frame: analysisFrame, at: Date.now() - 500, objects: [] })).jpeg);
    expect(brightestIn(await shot('cam1-before-reload'), added)).toBeGreaterThan(40);
    service.setPrivacyMasks('cam1', [MASK, added]);
    const after = await shot('cam1-after-reload');
    expect(brightestIn(after, added)).toBeLessThanOrEqual(8);
    expect(brightestIn(after, MASK)).toBeLessThanOrEqual(8);
    service.setPrivacyMasks('cam1', [MASK]);
  }, 60_000);

  it('stores a masked clip of pre+post seconds around the event and audits it', async () => {
    const at = Date.now() - 500;
    const c = await service.clip('cam1-e1', 'cam1', at);
    expect(c).toMatchObject({ mode: 'masked', complete: true });
    expect(Math.abs(c!.clip.durationSeconds - 4)).toBeLessThanOrEqual(1);
    expect(Date.parse(c!.clip.startedAt)).toBeLessThan(at);
    expect(await probeDuration(c!.file.path)).toBeCloseTo(c!.clip.durationSeconds, 3);
    expect(service.find(c!.clip.sha256)?.kind).toBe('clip');
    await audit.close();
    const files = await listAuditFiles(join(dir, 'audit'));
    const kinds = readFileSync(files[0], 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .map((r) => `${r.kind}:${r.data.kind}:${r.data.eventId}`);
    expect(kinds).toEqual([
      'evidence_stored:snapshot:cam1-e1',
      'evidence_stored:frame:cam1-e1',
      'evidence_stored:snapshot:cam2-e1',
      'evidence_stored:snapshot:cam1-before-reload',
      'evidence_stored:snapshot:cam1-after-reload',
      'evidence_stored:clip:cam1-e1',
    ]);
    expect(await verifyAuditFiles(files)).toMatchObject({ ok: true });
    expect(existsSync(join(dir, 'evidence', '.tmp', `cam1-e1-${at}.mp4`))).toBe(false);
  });

  it("a clip that cannot be cut says why in the camera's health", async () => {
    expect(service.clipHealth('cam1')).toEqual({});
    // An hour before the ring began: no video of it, nor soon after it.
    const at = Date.now() - 3_600_000;
    await expect(service.clip('cam1-old', 'cam1', at)).rejects.toThrow(/no ring segment covers/);
    expect(service.clipHealth('cam1')).toEqual({
      lastClipFailure: { at: expect.any(String), eventId: 'cam1-old', reason: expect.stringMatching(/the ring's video begins only at/) },
    });
    expect(service.clipHealth('cam2')).toEqual({});
  });
});
