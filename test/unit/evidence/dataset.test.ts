import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { openAuditLog } from '../../../agent/src/audit/audit-log.ts';
import { silentLogger } from '../../../agent/src/core/log.ts';
import { cocoBox, exportDataset, parseSince, yoloBox } from '../../../agent/src/evidence/dataset.ts';
import { datasetManifestSchema } from '../../../agent/src/evidence/dataset-manifest.ts';
import { eventVerdicts } from '../../../agent/src/evidence/dataset-outcomes.ts';
import { openEvidenceStore } from '../../../agent/src/evidence/store.ts';
import { sample } from '../../helpers/paths.ts';

const decision = (eventId: string, state: string, type = 'illegal_parking') => ({
  kind: 'event_decision',
  data: { eventId, state, camera: 'cam', rule: { id: 'r', type }, category: type },
});
const command = (eventId: string, action: string, ok = true) => ({
  kind: 'operator_command',
  data: { command: 'event', topic: 't', ok, payload: { eventId, action, by: 'op' }, at: '2026-12-01T00:00:00Z' },
});

describe('event verdicts from the audit log', () => {
  it('confirms dispatched-then-cleared and resolved events, rejects false positives, leaves the rest undecided', () => {
    const v = eventVerdicts([
      decision('a', 'started'),
      command('a', 'dispatch'),
      decision('a', 'cleared'),
      decision('b', 'started', 'street_vending'),
      command('b', 'ack'),
      command('b', 'resolve'),
      decision('c', 'started'),
      command('c', 'false_positive'),
      decision('d', 'started'),
      command('d', 'dispatch'),
      decision('e', 'started'),
      decision('e', 'ended'),
      decision('f', 'started'),
      command('f', 'false_positive', false),
    ]);
    expect(Object.fromEntries([...v].map(([id, e]) => [id, e.outcome ?? 'undecided']))).toEqual({
      a: 'cleared',
      b: 'resolved',
      c: 'false_positive',
      d: 'undecided',
      e: 'undecided',
      f: 'undecided',
    });
    expect(v.get('b')).toMatchObject({ camera: 'cam', type: 'street_vending', category: 'street_vending' });
  });
});

describe('box conversions and --since', () => {
  it('YOLO: centre and size normalised; COCO: corner and size in pixels; both clipped to the image', () => {
    expect(yoloBox({ x1: 100, y1: 50, x2: 300, y2: 150 }, 400, 200)).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(cocoBox({ x1: 100, y1: 50, x2: 300, y2: 150 }, 400, 200)).toEqual([100, 50, 200, 100]);
    expect(yoloBox({ x1: -50, y1: 150, x2: 50, y2: 250 }, 400, 200)).toEqual([0.0625, 0.875, 0.125, 0.25]);
    expect(cocoBox({ x1: 500, y1: 0, x2: 600, y2: 10 }, 400, 200)).toBeUndefined();
  });

  it('reads a date, a time with offset and durations; refuses anything else with the forms it takes', () => {
    const now = Date.parse('2026-12-01T12:00:00Z');
    expect(parseSince('2026-11-20', now)).toBe(Date.parse('2026-11-20T00:00:00Z'));
    expect(parseSince('2026-11-20T08:00+08:00', now)).toBe(Date.parse('2026-11-20T00:00:00Z'));
    expect(parseSince('90m', now)).toBe(now - 90 * 60_000);
    expect(parseSince('7d', now)).toBe(now - 7 * 86_400_000);
    expect(() => parseSince('last week', now)).toThrow(/--since: expected a date or time .* or a duration .*got "last week"/);
  });
});

/** A data folder with real evidence: street.png frames stored as the agent stores them, and the audit of the decisions. */
async function dataFolder(opts: { maskedAtCapture: boolean }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'jifang-dataset-'));
  const { data, info } = await sharp(sample('street.png')).removeAlpha().resize(720, 365).raw().toBuffer({ resolveWithObject: true });
  if (opts.maskedAtCapture) for (let y = 0; y < 100; y++) data.fill(0, y * 720 * 3, (y * 720 + 200) * 3);
  const jpeg = await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();
  let t = Date.parse('2026-11-30T10:00:00Z');
  const store = await openEvidenceStore(join(dataDir, 'evidence'), () => t);
  const objects = [{ label: 'car', score: 0.81, trackId: 3, box: { x1: 59, y1: 234, x2: 218, y2: 312 } }];
  const frameInfo = { at: '2026-11-30T10:00:00.000Z', width: 720, height: 365, source: 'analysis', objects };
  await store.put('cam-1', 'cam', 'snapshot', Buffer.from('drawn'), 'jpg');
  await store.put('cam-1', 'cam', 'frame', jpeg, 'jpg', frameInfo);
  t += 3_600_000;
  await store.put('cam-2', 'cam', 'hard_negative', jpeg, 'jpg', { ...frameInfo, objects: [{ ...objects[0], label: 'person' }] });
  t += 3_600_000;
  await store.put('cam-3', 'cam', 'frame', jpeg, 'jpg', frameInfo);
  const audit = await openAuditLog(join(dataDir, 'audit'), silentLogger);
  for (const r of [
    decision('cam-1', 'started'),
    command('cam-1', 'dispatch'),
    decision('cam-1', 'cleared'),
    decision('cam-2', 'started'),
    command('cam-2', 'false_positive'),
    decision('cam-3', 'started'),
  ])
    await audit.append(r.kind as 'event_decision', r.data);
  await audit.close();
  return { dataDir, jpeg };
}

const MASK: [number, number][] = [
  [0, 0],
  [200 / 720, 0],
  [200 / 720, 100 / 365],
  [0, 100 / 365],
];

async function meanOfMask(file: string): Promise<number> {
  const { data } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  let s = 0;
  for (let y = 2; y < 98; y++) for (let x = 2; x < 198; x++) s += data[(y * 720 + x) * 3];
  return s / (96 * 196);
}

describe('exportDataset on a real evidence folder', () => {
  it('writes the confirmed frame with its labels and the false positive as a negative; skips the undecided event', async () => {
    const { dataDir } = await dataFolder({ maskedAtCapture: true });
    const out = join(dataDir, 'set');
    const { manifest } = await exportDataset({ dataDir, out, format: 'yolo', cameras: [{ id: 'cam', privacyMasks: [MASK] }] });
    expect(datasetManifestSchema.parse(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')))).toEqual(manifest);
    expect(manifest.classes).toEqual(['car']);
    expect(manifest.counts).toMatchObject({
      images: 2,
      positives: 1,
      negatives: 1,
      boxes: 1,
      skipped: { undecided: 1, noFrame: 0 },
      unmaskedAtSource: 0,
    });
    const [pos, neg] = manifest.images;
    expect(pos).toMatchObject({ eventId: 'cam-1', outcome: 'cleared', privacy: 'reapplied' });
    // The car x 59–218, y 234–312 of 720×365.
    expect(readFileSync(join(out, pos.labels!), 'utf8')).toBe('0 0.192361 0.747945 0.220833 0.213699\n');
    expect(neg).toMatchObject({ eventId: 'cam-2', outcome: 'false_positive', negative: true, boxes: [], rejected: [{ label: 'person' }] });
    expect(readFileSync(join(out, neg.labels!), 'utf8')).toBe('');
    expect(await meanOfMask(join(out, pos.file))).toBeLessThan(8);
  });

  it('masks a stored frame that was not masked, and says so', async () => {
    const { dataDir } = await dataFolder({ maskedAtCapture: false });
    const out = join(dataDir, 'set');
    const before = await exportDataset({ dataDir, out: join(dataDir, 'plain'), format: 'yolo' });
    expect(before.manifest.images[0].privacy).toBe('unchecked');
    expect(await meanOfMask(join(dataDir, 'plain', before.manifest.images[0].file))).toBeGreaterThan(40);
    const { manifest } = await exportDataset({ dataDir, out, format: 'coco', cameras: [{ id: 'cam', privacyMasks: [MASK] }] });
    expect(manifest.counts.unmaskedAtSource).toBe(2);
    for (const img of manifest.images) expect(await meanOfMask(join(out, img.file))).toBeLessThan(8);
  });

  it('brings an earlier export up to date (another format: the old files go) and refuses a foreign folder', async () => {
    const { dataDir } = await dataFolder({ maskedAtCapture: true });
    const out = join(dataDir, 'set');
    await exportDataset({ dataDir, out, format: 'yolo' });
    expect(existsSync(join(out, 'data.yaml'))).toBe(true);
    const { manifest, removed } = await exportDataset({ dataDir, out, format: 'coco', since: Date.parse('2026-11-30T10:30:00Z') });
    expect(manifest.images.map((i) => i.eventId)).toEqual(['cam-2']);
    expect(removed).toBe(5);
    expect((readdirSync(out, { recursive: true }) as string[]).sort()).toEqual(
      ['annotations.json', 'images', manifest.images[0].file, 'manifest.json'].sort(),
    );

    const foreign = join(dataDir, 'photos');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'a.jpg'), 'x');
    await expect(exportDataset({ dataDir, out: foreign, format: 'yolo' })).rejects.toThrow(
      /photos: not empty and not a dataset this command wrote \(no manifest.json of jifang.dataset\/1\): refusing/,
    );
    expect(readdirSync(foreign)).toEqual(['a.jpg']);
  });

  it('stops before writing anything when an evidence file no longer matches its recorded SHA-256', async () => {
    const { dataDir } = await dataFolder({ maskedAtCapture: true });
    const store = await openEvidenceStore(join(dataDir, 'evidence'));
    writeFileSync(store.get('cam-2')!.files[0].path, 'edited');
    const out = join(dataDir, 'set');
    await expect(exportDataset({ dataDir, out, format: 'yolo' })).rejects.toThrow(/hard_negative-.*SHA-256 .*changed.*nothing exported/);
    expect(existsSync(out)).toBe(false);
  });
});
