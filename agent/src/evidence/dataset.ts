import { mkdir, readdir, readFile, rm, rmdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import sharp from 'sharp';
import { stringify } from 'yaml';
import { z } from 'zod';
import { listAuditFiles } from '../audit/audit-log.ts';
import { type AuditRecord, parseRecordLine } from '../audit/record.ts';
import { writeFileAtomic } from '../core/durable.ts';
import type { Box, Point } from '../core/geometry.ts';
import { sha256Hex } from '../core/hash.ts';
import { compilePrivacyMask } from '../core/privacy-mask.ts';
import {
  DATASET_SCHEMA_ID,
  type DatasetFormat,
  type DatasetImage,
  type DatasetManifest,
  datasetManifestSchema,
} from './dataset-manifest.ts';
import { type EventVerdict, eventVerdicts } from './dataset-outcomes.ts';
import { type EvidenceEntry, openEvidenceStore, type StoredFile } from './store.ts';

export interface DatasetCamera {
  id: string;
  privacyMasks: readonly (readonly Point[])[];
}

export interface DatasetExportOptions {
  /** The agent's data folder (`evidence/` and `audit/` under it). */
  dataDir: string;
  out: string;
  format: DatasetFormat;
  /** Only events whose evidence started at or after this time (ms since the epoch). */
  since?: number;
  /** The config's cameras: their privacy masks are applied again. Absent: images are written as stored. */
  cameras?: readonly DatasetCamera[];
}

export interface DatasetExportResult {
  manifest: DatasetManifest;
  /** Files of an earlier export into the same folder that this one no longer has. */
  removed: number;
}

/** A re-encoded (re-masked) image keeps nearly all of the stored JPEG's detail. */
const REENCODE_QUALITY = 95;
/** A masked pixel brighter than this in any channel was not blacked out (JPEG leaves black a little above 0). */
const NOT_BLACK = 48;
/** A stored frame counts as unmasked when this share of its masked area is not black (JPEG ringing stays well below). */
const UNMASKED_SHARE = 0.05;

const boxSchema = z.object({ x1: z.number(), y1: z.number(), x2: z.number(), y2: z.number() });
/** What `frame` and `hard_negative` files record in their `info` (see EvidenceService). */
const frameInfoSchema = z.object({
  at: z.iso.datetime({ offset: true }),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  objects: z.array(z.object({ label: z.string(), score: z.number(), box: boxSchema })),
});
type FrameInfo = z.infer<typeof frameInfoSchema>;

/**
 * `since` as an installer writes it: a date or time (ISO-8601; a date alone is midnight UTC) or a duration back from
 * `now` (`90m`, `12h`, `7d`, `2w`).
 */
export function parseSince(text: string, now: number): number {
  const d = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(text);
  if (d) return now - Number(d[1]) * { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }[d[2] as 's']! * 1000;
  const t = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(t))
    throw new Error(
      `--since: expected a date or time (2026-11-20, 2026-11-20T08:00+08:00) or a duration (90m, 12h, 7d, 2w), got "${text}"`,
    );
  return t;
}

/** A box in image pixels as YOLO writes it: centre and size normalised to the image, clipped to it. */
export function yoloBox(b: Box, width: number, height: number): [number, number, number, number] | undefined {
  const c = clip(b, width, height);
  if (!c) return undefined;
  const r = (v: number) => Math.round(v * 1e6) / 1e6;
  return [r((c.x1 + c.x2) / 2 / width), r((c.y1 + c.y2) / 2 / height), r((c.x2 - c.x1) / width), r((c.y2 - c.y1) / height)];
}

/** A box in image pixels as COCO writes it: top-left corner and size in pixels, clipped to the image. */
export function cocoBox(b: Box, width: number, height: number): [number, number, number, number] | undefined {
  const c = clip(b, width, height);
  if (!c) return undefined;
  const r = (v: number) => Math.round(v * 100) / 100;
  return [r(c.x1), r(c.y1), r(c.x2 - c.x1), r(c.y2 - c.y1)];
}

function clip(b: Box, width: number, height: number): Box | undefined {
  const x1 = Math.max(0, Math.min(width, b.x1));
  const y1 = Math.max(0, Math.min(height, b.y1));
  const x2 = Math.max(0, Math.min(width, b.x2));
  const y2 = Math.max(0, Math.min(height, b.y2));
  return x2 > x1 && y2 > y1 ? { x1, y1, x2, y2 } : undefined;
}

interface Candidate {
  entry: EvidenceEntry;
  verdict: EventVerdict & { outcome: NonNullable<EventVerdict['outcome']> };
  file: StoredFile;
  info: FrameInfo;
}

/**
 * Writes the undrawn frames of events an operator confirmed (with their boxes and labels) and the frames of events
 * judged false positives (hard negatives, no labels) as a YOLO or COCO dataset with `manifest.json`. Writing again
 * into the same folder brings it up to date; a non-empty folder that is not such an export is refused.
 */
export async function exportDataset(opts: DatasetExportOptions): Promise<DatasetExportResult> {
  const previous = await previousExport(opts.out);
  const evidenceRoot = join(opts.dataDir, 'evidence');
  if (!(await isDir(evidenceRoot))) throw new Error(`${evidenceRoot}: no evidence folder (is ${opts.dataDir} the agent's data folder?)`);
  const verdicts = eventVerdicts(await readAudit(join(opts.dataDir, 'audit')));
  const entries = (await openEvidenceStore(evidenceRoot)).list();
  const { candidates, skipped } = selectCandidates(entries, verdicts, opts.since);
  const classes = classesOf(candidates);
  // Every source is checked before anything is written: a changed evidence file stops the export, not half of it.
  await verifySources(candidates);
  const { images, unmaskedAtSource } = await writeImages(candidates, { ...opts, evidenceRoot, classes });
  const manifest = datasetManifest(opts, { classes, images, skipped, unmaskedAtSource });
  const fixed = await writeIndexFiles(opts.out, manifest);
  await writeFileAtomic(join(opts.out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  // What the earlier export wrote and this one does not (a frame aged out of the evidence, another format).
  const now = new Set(['manifest.json', ...fixed, ...images.flatMap((i) => (i.labels ? [i.file, i.labels] : [i.file]))]);
  let removed = 0;
  for (const f of previous ? exportFiles(previous) : []) {
    if (now.has(f)) continue;
    await rm(join(opts.out, f), { force: true });
    removed++;
  }
  if (opts.format !== 'yolo') await rmdir(join(opts.out, 'labels')).catch(() => undefined);
  return { manifest, removed };
}

type Skipped = DatasetManifest['counts']['skipped'];

/** The events an operator decided on, since `since`, each with its best undrawn frame; the others counted as skipped. */
function selectCandidates(
  entries: readonly EvidenceEntry[],
  verdicts: ReadonlyMap<string, EventVerdict>,
  since: number | undefined,
): { candidates: Candidate[]; skipped: Skipped } {
  const skipped = { undecided: 0, noFrame: 0 };
  const candidates: Candidate[] = [];
  for (const entry of entries) {
    if (since !== undefined && entry.createdAt < since) continue;
    const verdict = verdicts.get(entry.eventId);
    if (!verdict?.outcome) {
      skipped.undecided++;
      continue;
    }
    const file = bestFrame(entry, verdict.outcome === 'false_positive' ? 'hard_negative' : 'frame');
    const info = frameInfoSchema.safeParse(file?.info);
    if (!file || !info.success) {
      skipped.noFrame++;
      continue;
    }
    candidates.push({ entry, verdict: verdict as Candidate['verdict'], file, info: info.data });
  }
  return { candidates, skipped };
}

/** Of an event's undrawn frames the last is its best evidence (a better frame replaces the first snapshot). */
function bestFrame(entry: EvidenceEntry, kind: 'frame' | 'hard_negative'): StoredFile | undefined {
  return entry.files
    .filter((f) => f.kind === kind)
    .sort((a, b) => a.storedAt - b.storedAt)
    .at(-1);
}

/** The labels of the confirmed events' objects, sorted: a label's class is its index. */
function classesOf(candidates: readonly Candidate[]): string[] {
  return [
    ...new Set(candidates.filter((c) => c.verdict.outcome !== 'false_positive').flatMap((c) => c.info.objects.map((o) => o.label))),
  ].sort();
}

async function verifySources(candidates: readonly Candidate[]): Promise<void> {
  for (const c of candidates) {
    if (sha256Hex(await readFile(c.file.path)) !== c.file.sha256)
      throw new Error(`${c.file.path}: its SHA-256 is not the one the evidence listing records (the file was changed): nothing exported`);
  }
}

/** Each candidate's image (masked again when cameras are given) and, for YOLO, its labels file. */
async function writeImages(
  candidates: readonly Candidate[],
  opts: DatasetExportOptions & { evidenceRoot: string; classes: readonly string[] },
): Promise<{ images: DatasetImage[]; unmaskedAtSource: number }> {
  await mkdir(join(opts.out, 'images'), { recursive: true });
  if (opts.format === 'yolo') await mkdir(join(opts.out, 'labels'), { recursive: true });
  const classOf = new Map(opts.classes.map((c, i) => [c, i]));
  const masks = new Map((opts.cameras ?? []).map((c) => [c.id, compilePrivacyMask(c.privacyMasks)]));
  const images: DatasetImage[] = [];
  let unmaskedAtSource = 0;
  for (const c of candidates) {
    const stored = await readFile(c.file.path);
    const { bytes, privacy, unmasked } = await privacyChecked(stored, opts.cameras ? masks.get(c.entry.camera) : undefined, !!opts.cameras);
    if (unmasked) unmaskedAtSource++;
    const image = datasetImage(c, { format: opts.format, classOf, evidenceRoot: opts.evidenceRoot, privacy });
    await writeFileAtomic(join(opts.out, image.file), bytes);
    if (image.labels) await writeFileAtomic(join(opts.out, image.labels), yoloLabels(image));
    images.push(image);
  }
  return { images, unmaskedAtSource };
}

/** A candidate's manifest entry: its boxes in the format's convention (kept as `rejected` on a hard negative). */
function datasetImage(
  c: Candidate,
  ctx: { format: DatasetFormat; classOf: ReadonlyMap<string, number>; evidenceRoot: string; privacy: DatasetImage['privacy'] },
): DatasetImage {
  const negative = c.verdict.outcome === 'false_positive';
  const { width, height } = c.info;
  const convert = ctx.format === 'yolo' ? yoloBox : cocoBox;
  const boxes = c.info.objects.flatMap((o) => {
    const box = convert(o.box, width, height);
    const cls = ctx.classOf.get(o.label);
    return box ? [{ label: o.label, ...(cls !== undefined && { class: cls }), score: round3(o.score), box }] : [];
  });
  const base = `${c.entry.eventId}-${c.file.sha256.slice(0, 12)}`;
  return {
    file: `images/${base}.jpg`,
    ...(ctx.format === 'yolo' && { labels: `labels/${base}.txt` }),
    camera: c.entry.camera,
    eventId: c.entry.eventId,
    type: c.verdict.type ?? 'unknown',
    ...(c.verdict.category && { category: c.verdict.category }),
    outcome: c.verdict.outcome,
    negative,
    width,
    height,
    at: c.info.at,
    boxes: negative ? [] : boxes,
    ...(negative && { rejected: boxes }),
    source: relative(ctx.evidenceRoot, c.file.path),
    sourceSha256: c.file.sha256,
    privacy: ctx.privacy,
  };
}

function datasetManifest(
  opts: DatasetExportOptions,
  parts: { classes: string[]; images: DatasetImage[]; skipped: Skipped; unmaskedAtSource: number },
): DatasetManifest {
  const { images } = parts;
  const events = { cleared: 0, resolved: 0, false_positive: 0 };
  for (const i of images) events[i.outcome]++;
  return {
    schema: DATASET_SCHEMA_ID,
    format: opts.format,
    ...(opts.since !== undefined && { since: new Date(opts.since).toISOString() }),
    classes: parts.classes,
    counts: {
      images: images.length,
      positives: images.filter((i) => !i.negative).length,
      negatives: images.filter((i) => i.negative).length,
      boxes: images.reduce((n, i) => n + i.boxes.length, 0),
      events,
      skipped: parts.skipped,
      unmaskedAtSource: parts.unmaskedAtSource,
    },
    images,
  };
}

/** The format's own index files (YOLO: data.yaml and classes.txt; COCO: annotations.json); returns their names. */
async function writeIndexFiles(out: string, manifest: DatasetManifest): Promise<string[]> {
  const { classes } = manifest;
  if (manifest.format === 'yolo') {
    await writeFileAtomic(
      join(out, 'data.yaml'),
      `# jifang dataset export (${DATASET_SCHEMA_ID}): every image is listed in manifest.json\n${stringify({ path: '.', train: 'images', val: 'images', nc: classes.length, names: classes })}`,
    );
    await writeFileAtomic(join(out, 'classes.txt'), classes.map((c) => `${c}\n`).join(''));
    return ['data.yaml', 'classes.txt'];
  }
  await writeFileAtomic(join(out, 'annotations.json'), `${JSON.stringify(cocoAnnotations(manifest), null, 1)}\n`);
  return ['annotations.json'];
}

/** The earlier export in `out`, or undefined for a new or empty folder; throws for a folder holding anything else. */
async function previousExport(out: string): Promise<DatasetManifest | undefined> {
  const names = await readdir(out).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    if (err.code === 'ENOTDIR') throw new Error(`${out}: is a file, expected a folder for the dataset`);
    throw err;
  });
  if (names.length === 0) return undefined;
  const text = await readFile(join(out, 'manifest.json'), 'utf8').catch(() => undefined);
  let manifest: DatasetManifest | undefined;
  try {
    manifest = text === undefined ? undefined : datasetManifestSchema.parse(JSON.parse(text));
  } catch {
    manifest = undefined;
  }
  if (!manifest)
    throw new Error(
      `${out}: not empty and not a dataset this command wrote (no manifest.json of ${DATASET_SCHEMA_ID}): refusing to write into it; give a new or empty folder`,
    );
  return manifest;
}

function exportFiles(m: DatasetManifest): string[] {
  const fixed = m.format === 'yolo' ? ['data.yaml', 'classes.txt'] : ['annotations.json'];
  return [...fixed, ...m.images.flatMap((i) => (i.labels ? [i.file, i.labels] : [i.file]))];
}

/** Every audit record that parses, in log order (a torn or edited line is left out here; `jifang audit verify` names it). */
async function readAudit(dir: string): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  for (const file of await listAuditFiles(dir)) {
    for (const line of (await readFile(file, 'utf8')).split('\n')) {
      if (!line) continue;
      const r = parseRecordLine(line);
      if (r.ok) out.push(r.record);
    }
  }
  return out;
}

/**
 * The image as exported: with the camera's masks applied again (the config may have gained a mask since the frame was
 * stored), noting whether the stored frame's masked area was black already.
 */
async function privacyChecked(
  stored: Buffer,
  mask: ReturnType<typeof compilePrivacyMask> | undefined,
  haveConfig: boolean,
): Promise<{ bytes: Buffer; privacy: DatasetImage['privacy']; unmasked: boolean }> {
  if (!haveConfig || !mask) return { bytes: stored, privacy: 'unchecked', unmasked: false };
  if (mask.empty) return { bytes: stored, privacy: 'no_masks', unmasked: false };
  const { data, info } = await sharp(stored).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const image = { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  const s = mask.spans(image.width, image.height);
  let covered = 0;
  let lit = 0;
  for (let k = 0; k < s.length; k += 3) {
    for (let i = (s[k] * image.width + s[k + 1]) * 3, end = (s[k] * image.width + s[k + 2]) * 3; i < end; i += 3) {
      covered++;
      if (data[i] > NOT_BLACK || data[i + 1] > NOT_BLACK || data[i + 2] > NOT_BLACK) lit++;
    }
  }
  mask.apply(image);
  const bytes = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .jpeg({ quality: REENCODE_QUALITY })
    .toBuffer();
  return { bytes, privacy: 'reapplied', unmasked: covered > 0 && lit / covered > UNMASKED_SHARE };
}

function yoloLabels(image: DatasetImage): string {
  return image.boxes.map((b) => `${b.class} ${b.box.join(' ')}\n`).join('');
}

function cocoAnnotations(m: DatasetManifest) {
  let id = 0;
  return {
    info: { description: `jifang dataset export (${DATASET_SCHEMA_ID}); hard negatives are images without annotations` },
    categories: m.classes.map((name, i) => ({ id: i + 1, name })),
    images: m.images.map((img, i) => ({ id: i + 1, file_name: img.file.slice('images/'.length), width: img.width, height: img.height })),
    annotations: m.images.flatMap((img, i) =>
      img.boxes.map((b) => ({
        id: ++id,
        image_id: i + 1,
        category_id: b.class! + 1,
        bbox: b.box,
        area: Math.round(b.box[2] * b.box[3] * 100) / 100,
        iscrowd: 0,
      })),
    ),
  };
}

async function isDir(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;
