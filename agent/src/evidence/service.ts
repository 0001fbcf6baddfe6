import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import type { AuditLog } from '../audit/audit-log.ts';
import { PRIVATE_DIR } from '../core/durable.ts';
import type { Point } from '../core/geometry.ts';
import { type Box, iou, type RgbImage } from '../core/geometry.ts';
import type { Logger } from '../core/log.ts';
import { compilePrivacyMask, type PrivacyMask } from '../core/privacy-mask.ts';
import type { RingOutput } from '../ingest/args.ts';
import type { CameraSourceConfig } from '../ingest/config.ts';
import { sourceKind } from '../ingest/source-kind.ts';
import { type ClipResult, clipAround, frameFromRing, type PixelatedRegion } from './clip.ts';
import type { EvidenceConfig } from './config.ts';
import { frameScale, scaleBox } from './geometry.ts';
import { grabFrame } from './grab.ts';
import { pixelateBoxes } from './pixelate.ts';
import { findBystanderPlates, type PlateFinder, pixelatePlates, plateBlock, plateCover } from './plate-privacy.ts';
import { DiskReserve } from './reserve.ts';
import { type RetentionResult, runRetention } from './retention.ts';
import { ringOutput, SegmentRing } from './ring.ts';
import { type AnnotatedObject, type CrossingLine, renderSnapshot, type Thumbnail, thumbnail } from './snapshot.ts';
import { type EvidenceStore, openEvidenceStore, type StoredFile } from './store.ts';

/** A live grab stands for the moment of the event only if that moment was this recent. */
const RECENT_MS = 3000;
/** Boxes overlapping this much are one vehicle seen under two labels. */
const SAME_VEHICLE_IOU = 0.5;
/** A clip hides a plate found at the snapshot with half its size more on every side: a parked car rocks, a camera sways. */
const CLIP_PLATE_MARGIN = 0.5;
/** What a snapshot found to hide in its event's clip is kept this long for the clip (cut right after it). */
const CLIP_PRIVACY_MS = 10 * 60_000;

/** What an event's clip hides for plate privacy, in analysis-frame pixels: bystanders' plates, or whole vehicles. */
interface PlatePrivacy {
  plates: Box[];
  vehicles: Box[];
}

/** A camera as evidence sees it: its stream settings, its display name and its privacy masks. */
export type EvidenceCamera = Pick<
  CameraSourceConfig,
  'id' | 'url' | 'evidenceUrl' | 'rtspTransport' | 'timeoutSeconds' | 'inputOptions' | 'loop' | 'analysis' | 'reconnect'
> & { name?: string; privacyMasks: Point[][] };

export interface SnapshotRequest {
  eventId: string;
  camera: string;
  /** The analysis frame (privacy-masked) and when it was captured. */
  frame: RgbImage;
  at: number;
  /** The event's objects, analysis-frame pixels. */
  objects: readonly AnnotatedObject[];
  /** The zone that decided the event, analysis-frame pixels. */
  zone?: { name: string; polygon: readonly Point[] };
  /** The crossing line of a `line_crossing` event. */
  line?: CrossingLine;
  /** Every other detection in the frame; those with a configured label are pixelated. */
  others?: readonly { box: Box; label: string }[];
  /** The objects are in the picture (not an "after" picture): keep the undrawn frame with their boxes too (`trainingFrames`). */
  trainingFrame?: boolean;
}

export interface SnapshotEvidence {
  /** Annotated JPEG, for `…/events/{eventId}/snapshot`. */
  jpeg: Buffer;
  sha256: string;
  bytes: number;
  width: number;
  height: number;
  /** `evidence`: full resolution from the main stream; `analysis`: the analysed frame. */
  source: 'evidence' | 'analysis';
  thumbnail: Thumbnail;
  file: StoredFile;
}

export interface ClipEvidence {
  /** Shaped as the alert's `evidence.clip`. */
  clip: { sha256: string; bytes: number; durationSeconds: number; startedAt: string };
  complete: boolean;
  mode: ClipResult['mode'];
  file: StoredFile;
}

export interface EvidenceServiceOptions {
  config: EvidenceConfig;
  dataDir: string;
  cameras: readonly EvidenceCamera[];
  /** Site time zone, printed on snapshots. */
  timezone: string;
  audit?: AuditLog;
  log: Logger;
  /** Finds bystanders' plates for `pixelate.plates`; absent on a box without the plate models. */
  plates?: PlateFinder;
}

interface CameraState {
  cam: EvidenceCamera;
  mask: PrivacyMask;
  ring?: SegmentRing;
  /** The ring records the evidence stream (not the detection stream), so its frames are full resolution. */
  ringIsEvidence: boolean;
  /** The latest clip that could not be cut or stored, for the camera's health. */
  lastClipFailure?: { at: string; eventId: string; reason: string };
}

/**
 * Evidence for events: privacy masks, annotated snapshot and thumbnail, clips from the
 * segment ring, the evidence store and its retention. One per agent.
 */
export class EvidenceService {
  private readonly cams = new Map<string, CameraState>();
  private retentionTimer: NodeJS.Timeout | undefined;
  private closing = false;
  /** Masked clips re-encode: one at a time, so two events never take both cores from detection. */
  private encodeQueue: Promise<unknown> = Promise.resolve();
  /** By event: what its snapshot pixelated for plate privacy, for its clip to hide as well. */
  private readonly clipPrivacy = new Map<string, PlatePrivacy & { at: number }>();
  private readonly log: Logger;
  private readonly reserve: DiskReserve;

  private constructor(
    private readonly opts: EvidenceServiceOptions,
    readonly store: EvidenceStore,
    private readonly tmpDir: string,
  ) {
    this.log = opts.log.child({ stage: 'evidence' });
    if (opts.config.pixelate?.plates && !opts.plates)
      this.log.warn(
        { vehicleLabels: opts.config.pixelate.vehicleLabels },
        'evidence.pixelate.plates without the plate models: vehicles not part of an event are pixelated whole',
      );
    this.reserve = new DiskReserve(store.root, opts.config.reserveMegabytes * 1_048_576, this.log);
    const ringRoot = opts.config.clip.ringDir ?? join(opts.dataDir, 'ring');
    const clip = opts.config.clip;
    for (const cam of opts.cameras) {
      const state: CameraState = { cam, mask: compilePrivacyMask(cam.privacyMasks), ringIsEvidence: cam.evidenceUrl !== undefined };
      if (clip.enabled && sourceKind(cam.evidenceUrl ?? cam.url) !== 'image') {
        state.ring = new SegmentRing(
          {
            camera: cam.id,
            url: cam.evidenceUrl ?? cam.url,
            rtspTransport: cam.rtspTransport,
            timeoutSeconds: cam.timeoutSeconds,
            inputOptions: cam.inputOptions,
            loop: cam.loop,
            dir: join(ringRoot, cam.id),
            segmentSeconds: clip.segmentSeconds,
            // Room for the pre-roll, the wait for the post-roll and the time to cut.
            keepSeconds: clip.preSeconds + clip.postSeconds + 30,
            reconnect: { initialMs: cam.reconnect.initialSeconds * 1000, maxMs: cam.reconnect.maxSeconds * 1000 },
          },
          opts.log,
          // Street cameras allow few RTSP sessions: without a separate evidence stream, the analysis connection records.
          cam.evidenceUrl === undefined ? 'ingest' : 'own',
        );
      }
      this.cams.set(cam.id, state);
    }
  }

  static async open(opts: EvidenceServiceOptions): Promise<EvidenceService> {
    const root = join(opts.dataDir, 'evidence');
    const tmpDir = join(root, '.tmp');
    // Half-cut clips of a previous run (crash mid-encode) are not evidence: clear them.
    await rm(tmpDir, { recursive: true, force: true });
    await mkdir(tmpDir, { recursive: true, mode: PRIVATE_DIR });
    return new EvidenceService(opts, await openEvidenceStore(root), tmpDir);
  }

  /** Starts the segment rings and periodic retention (one run right away). */
  async start(): Promise<void> {
    for (const s of this.cams.values()) await s.ring?.start();
    const every = this.opts.config.retentionIntervalMinutes * 60_000;
    this.retentionTimer = setInterval(
      () => void this.retention().catch((err) => this.log.error({ err }, 'evidence retention failed')),
      every,
    );
    this.retentionTimer.unref();
    await this.retention();
  }

  /**
   * The agent is stopping: clips waiting for their post-roll are cut now from what the ring holds (and marked
   * incomplete), before the cameras, whose connection may also record the ring, go away.
   */
  cutPendingClipsNow(): void {
    this.closing = true;
  }

  /** Stops the rings and deletes them (unmasked video is kept only while the agent runs). */
  async stop(): Promise<void> {
    this.closing = true;
    clearInterval(this.retentionTimer);
    await Promise.all([...this.cams.values()].map((s) => s.ring?.stop()));
    await this.encodeQueue.catch(() => undefined);
  }

  /** The ring output the camera's analysis ffmpeg must also write, when its ring rides on that connection. */
  ringOutputFor(camera: string): RingOutput | undefined {
    const ring = this.state(camera).ring;
    return ring?.recorder === 'ingest' ? ringOutput(ring.opts) : undefined;
  }

  /**
   * Renders, stores and audits the annotated snapshot of an event, with its thumbnail. Uses the
   * evidence stream at full resolution when the camera has one (the ring's frame at `at` when it
   * holds it, else a fresh grab), falling back to the analysis frame.
   */
  async snapshot(req: SnapshotRequest): Promise<SnapshotEvidence> {
    await this.reserve.admit('snapshots');
    const st = this.state(req.camera);
    const cfg = this.opts.config;
    const log = this.log.child({ camera: req.camera, eventId: req.eventId });
    let image: RgbImage | undefined;
    let at = req.at;
    if (cfg.snapshotSource === 'evidence' && st.cam.evidenceUrl) {
      try {
        ({ image, at } = await this.evidenceFrame(st, req.at));
      } catch (err) {
        log.warn({ err }, 'evidence stream frame unavailable; snapshot from the analysis frame');
      }
    }
    const source = image ? 'evidence' : 'analysis';
    image ??= { data: Uint8Array.from(req.frame.data), width: req.frame.width, height: req.frame.height };
    st.mask.apply(image);
    const scale = frameScale(st.cam.analysis, image);
    const hidden = await this.pixelateBystanders(image, scale, req.objects, req.others ?? [], log);
    if (st.ring) this.keepForClip(req.eventId, hidden, scale);
    const snap = await renderSnapshot(
      image,
      { objects: req.objects, zone: req.zone, line: req.line, camera: st.cam.name ?? st.cam.id, at },
      { frame: st.cam.analysis, timezone: this.opts.timezone, quality: cfg.jpegQuality },
    );
    const file = await this.store.put(req.eventId, req.camera, 'snapshot', snap.jpeg, 'jpg', {
      width: snap.width,
      height: snap.height,
      source,
      at: new Date(at).toISOString(),
    });
    const thumb = await thumbnail(snap.jpeg, { maxSide: cfg.thumbnailWidth, maxBytes: cfg.thumbnailMaxBytes });
    await this.opts.audit?.append('evidence_stored', {
      eventId: req.eventId,
      camera: req.camera,
      kind: 'snapshot',
      sha256: snap.sha256,
      bytes: snap.jpeg.length,
      source,
    });
    log.debug({ sha256: snap.sha256, bytes: snap.jpeg.length, source }, 'snapshot stored');
    if (cfg.trainingFrames && req.trainingFrame) await this.keepTrainingFrame(req, image, scale, source, at);
    return {
      jpeg: snap.jpeg,
      sha256: snap.sha256,
      bytes: snap.jpeg.length,
      width: snap.width,
      height: snap.height,
      source,
      thumbnail: thumb,
      file,
    };
  }

  /**
   * Cuts, stores and audits the clip around `at` (waits for the post-roll to be recorded).
   * Undefined when clips are off or the camera has no ring.
   */
  async clip(eventId: string, camera: string, at: number): Promise<ClipEvidence | undefined> {
    const st = this.state(camera);
    if (!st.ring) return undefined;
    return this.cutAndStore(st, st.ring, eventId, at).catch((err: unknown) => {
      st.lastClipFailure = { at: new Date().toISOString(), eventId, reason: err instanceof Error ? err.message : String(err) };
      throw err;
    });
  }

  /** What the camera's health says of its clips: the latest that could not be cut, and why. */
  clipHealth(camera: string): { lastClipFailure?: { at: string; eventId: string; reason: string } } {
    const failure = this.cams.get(camera)?.lastClipFailure;
    return failure ? { lastClipFailure: failure } : {};
  }

  private async cutAndStore(st: CameraState, ring: SegmentRing, eventId: string, at: number): Promise<ClipEvidence> {
    const camera = st.cam.id;
    await this.reserve.admit('clips');
    const { preSeconds, postSeconds, encoder, segmentSeconds } = this.opts.config.clip;
    const out = join(this.tmpDir, `${eventId}-${at}.mp4`);
    const privacy = this.clipPrivacy.get(eventId);
    this.clipPrivacy.delete(eventId);
    const pixelate = privacy && ((size: { width: number; height: number }) => this.clipRegions(st, privacy, size));
    const cut = () =>
      clipAround(() => ring.segments(), at, preSeconds, postSeconds, {
        out,
        mask: st.mask,
        ...(pixelate && { pixelate }),
        encoder,
        graceMs: Math.max(5000, segmentSeconds * 5000) + st.cam.timeoutSeconds * 1000,
        stopWaiting: () => this.closing,
      });
    let result: ClipResult;
    if (st.mask.empty && !pixelate) {
      result = await cut();
    } else {
      const queued = this.encodeQueue.then(cut, cut);
      this.encodeQueue = queued.catch(() => undefined);
      result = await queued;
    }
    const file = await this.store.adopt(eventId, camera, 'clip', result.path, 'mp4', {
      durationSeconds: result.durationSeconds,
      startedAt: new Date(result.startedAt).toISOString(),
      mode: result.mode,
      complete: result.complete,
    });
    await this.opts.audit?.append('evidence_stored', {
      eventId,
      camera,
      kind: 'clip',
      sha256: file.sha256,
      bytes: file.bytes,
      mode: result.mode,
      complete: result.complete,
    });
    this.log.debug({ camera, eventId, sha256: file.sha256, durationSeconds: result.durationSeconds, mode: result.mode }, 'clip stored');
    return {
      clip: {
        sha256: file.sha256,
        bytes: file.bytes,
        durationSeconds: result.durationSeconds,
        startedAt: new Date(result.startedAt).toISOString(),
      },
      complete: result.complete,
      mode: result.mode,
      file,
    };
  }

  /**
   * Keeps a frame an operator judged a false positive, unannotated (privacy-masked), with the boxes the detector
   * wrongly reported: material for retraining. It ages out with the event's other evidence.
   */
  async hardNegative(
    eventId: string,
    camera: string,
    frame: RgbImage,
    at: number,
    info: {
      objects: readonly AnnotatedObject[];
      /** The frame's other detections, pixelated as on snapshots. */
      others?: readonly { box: Box; label: string }[];
      model: { name: string; sha256: string };
      by: string;
      note?: string;
    },
  ): Promise<StoredFile> {
    const st = this.state(camera);
    const image = { data: Uint8Array.from(frame.data), width: frame.width, height: frame.height };
    st.mask.apply(image);
    await this.pixelateBystanders(
      image,
      frameScale(st.cam.analysis, image),
      info.objects,
      info.others ?? [],
      this.log.child({ camera, eventId }),
    );
    const jpeg = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
      .jpeg({ quality: this.opts.config.jpegQuality })
      .toBuffer();
    const file = await this.store.put(eventId, camera, 'hard_negative', jpeg, 'jpg', {
      at: new Date(at).toISOString(),
      width: image.width,
      height: image.height,
      objects: info.objects.map((o) => ({ label: o.label, score: o.score, trackId: o.trackId, box: o.box })),
      model: info.model,
      by: info.by,
      ...(info.note ? { note: info.note } : {}),
    });
    await this.opts.audit?.append('evidence_stored', {
      eventId,
      camera,
      kind: 'hard_negative',
      sha256: file.sha256,
      bytes: file.bytes,
      by: info.by,
    });
    return file;
  }

  /**
   * The camera's evidence (main) stream frame of the moment `at`, privacy-masked, with the scale from analysis-frame
   * pixels to it: plates are read there at full resolution. Undefined when the camera has no evidence stream;
   * throws when the frame cannot be had (the caller reads the analysis frame instead).
   */
  async mainStreamFrame(camera: string, at: number): Promise<{ image: RgbImage; sx: number; sy: number } | undefined> {
    const st = this.state(camera);
    if (!st.cam.evidenceUrl) return undefined;
    const { image } = await this.evidenceFrame(st, at);
    st.mask.apply(image);
    return { image, ...frameScale(st.cam.analysis, image) };
  }

  /** The snapshot's image before the drawing (masked and pixelated already), with the event's boxes in its own pixels. */
  private async keepTrainingFrame(
    req: SnapshotRequest,
    image: RgbImage,
    scale: { sx: number; sy: number },
    source: SnapshotEvidence['source'],
    at: number,
  ): Promise<void> {
    const jpeg = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
      .jpeg({ quality: this.opts.config.jpegQuality })
      .toBuffer();
    const file = await this.store.put(req.eventId, req.camera, 'frame', jpeg, 'jpg', {
      at: new Date(at).toISOString(),
      width: image.width,
      height: image.height,
      source,
      objects: req.objects.map((o) => ({ label: o.label, score: o.score, trackId: o.trackId, box: scaleBox(o.box, scale) })),
    });
    await this.opts.audit?.append('evidence_stored', {
      eventId: req.eventId,
      camera: req.camera,
      kind: 'frame',
      sha256: file.sha256,
      bytes: file.bytes,
      source,
    });
  }

  /** `disk full: evidence shed …` while snapshots and clips are skipped for lack of space; undefined otherwise. */
  get degraded(): string | undefined {
    return this.reserve.degraded;
  }

  /** A stored snapshot or clip by the SHA-256 an alert carries (for delivery on request). */
  find(sha256: string): StoredFile | undefined {
    return this.store.find(sha256);
  }

  async retention(): Promise<RetentionResult> {
    const c = this.opts.config;
    return runRetention(
      this.store,
      {
        maxAgeMs: c.retentionDays * 86_400_000,
        maxDiskUsedPercent: c.maxDiskUsedPercent,
        maxStoreBytes: c.maxEvidenceMegabytes === undefined ? undefined : c.maxEvidenceMegabytes * 1_048_576,
      },
      { log: this.opts.log, audit: this.opts.audit },
    );
  }

  /** A reload changed the camera's privacy masks: every snapshot, clip and frame from now on blacks out the new ones. */
  setPrivacyMasks(camera: string, privacyMasks: Point[][]): void {
    const st = this.state(camera);
    st.cam = { ...st.cam, privacyMasks };
    st.mask = compilePrivacyMask(privacyMasks);
  }

  /**
   * The evidence stream's frame of the moment `at`: from the ring when it holds that moment (no extra
   * camera connection, exact time), else a fresh grab if `at` is only a moment ago. An older moment
   * (a best frame from minutes back) has no full-resolution frame any more: the caller falls back.
   */
  private async evidenceFrame(st: CameraState, at: number): Promise<{ image: RgbImage; at: number }> {
    const timeoutMs = this.opts.config.grabTimeoutSeconds * 1000;
    if (st.ring && st.ringIsEvidence) {
      // The segment holding `at` is listed once it closes, about one segment later.
      const deadline = Date.now() + this.opts.config.clip.segmentSeconds * 3000 + 1000;
      for (;;) {
        const segments = await st.ring.segments();
        if (segments.length === 0 || at < segments[0].startAt) break;
        const image = await frameFromRing(segments, at, timeoutMs);
        if (image) return { image, at };
        if (Date.now() > deadline) break;
        await sleep(200);
      }
    }
    if (Date.now() - at > RECENT_MS) throw new Error(`the evidence stream no longer holds ${new Date(at).toISOString()}`);
    const grabbedAt = Date.now();
    const image = await grabFrame(st.cam.evidenceUrl!, {
      rtspTransport: st.cam.rtspTransport,
      timeoutMs,
      inputOptions: st.cam.inputOptions,
    });
    return { image, at: grabbedAt };
  }

  /**
   * Pixelates, in place, what `evidence.pixelate` asks for among what is not the event: the boxes of bystanders
   * with the configured labels, and the plates of the other vehicles (the event vehicles' own plates stay legible).
   * Boxes are analysis-frame pixels, `scale` takes them to `image`.
   */
  private async pixelateBystanders(
    image: RgbImage,
    scale: { sx: number; sy: number },
    objects: readonly { box: Box }[],
    others: readonly { box: Box; label: string }[],
    log: Logger,
  ): Promise<PlatePrivacy> {
    const px = this.opts.config.pixelate;
    const hidden: PlatePrivacy = { plates: [], vehicles: [] };
    if (!px) return hidden;
    const block = Math.max(2, Math.round(px.blockPixels * scale.sx));
    const labels = new Set(px.labels);
    const boxes = others.filter((o) => labels.has(o.label)).map((o) => scaleBox(grow(o.box, 0.1), scale));
    if (px.plates) {
      const own = objects.map((o) => scaleBox(o.box, scale));
      const vehicleLabels = new Set(px.vehicleLabels);
      const vehicles = others.filter((o) => vehicleLabels.has(o.label)).map((o) => scaleBox(o.box, scale));
      let found = false;
      if (this.opts.plates) {
        try {
          hidden.plates = (await findBystanderPlates(image, this.opts.plates, own, vehicles)).hide;
          found = true;
        } catch (err) {
          log.warn({ err }, 'plate search failed: vehicles not part of the event are pixelated whole');
        }
      }
      // Without plates found, privacy wins over the scene: the other vehicles go whole, except a second box of an
      // event vehicle (the same car seen as a truck too).
      if (!found) hidden.vehicles = vehicles.filter((v) => !own.some((o) => iou(o, v) > SAME_VEHICLE_IOU));
    }
    pixelateBoxes(image, [...boxes, ...hidden.vehicles], block);
    pixelatePlates(image, hidden.plates, block);
    return hidden;
  }

  /** What the snapshot hid for plate privacy (`image` pixels) is kept, in analysis-frame pixels, for the event's clip. */
  private keepForClip(eventId: string, hidden: PlatePrivacy, scale: { sx: number; sy: number }): void {
    const now = Date.now();
    for (const [id, p] of this.clipPrivacy) if (now - p.at > CLIP_PRIVACY_MS) this.clipPrivacy.delete(id);
    if (hidden.plates.length + hidden.vehicles.length === 0) return;
    const back = { sx: 1 / scale.sx, sy: 1 / scale.sy };
    const kept = this.clipPrivacy.get(eventId) ?? { plates: [], vehicles: [], at: now };
    kept.plates.push(...hidden.plates.map((b) => scaleBox(b, back)));
    kept.vehicles.push(...hidden.vehicles.map((b) => scaleBox(b, back)));
    this.clipPrivacy.set(eventId, kept);
  }

  /** The regions of a clip of `size` that hide what its event's snapshot hid: plates with a margin, vehicles whole. */
  private clipRegions(st: CameraState, privacy: PlatePrivacy, size: { width: number; height: number }): PixelatedRegion[] {
    const s = frameScale(st.cam.analysis, size);
    const block = Math.max(2, Math.round((this.opts.config.pixelate?.blockPixels ?? 8) * s.sx));
    return [
      ...privacy.plates.map((p) => {
        const box = scaleBox(plateCover(p, CLIP_PLATE_MARGIN), s);
        return { box, block: plateBlock(box, block) };
      }),
      ...privacy.vehicles.map((v) => ({ box: scaleBox(v, s), block })),
    ];
  }

  private state(camera: string): CameraState {
    const s = this.cams.get(camera);
    if (!s) throw new Error(`evidence: unknown camera "${camera}", expected one of ${[...this.cams.keys()].join(', ')}`);
    return s;
  }
}

/** The box enlarged by `f` of its size on every side: a bystander's box from another moment still covers them. */
function grow(b: Box, f: number): Box {
  const dx = (b.x2 - b.x1) * f;
  const dy = (b.y2 - b.y1) * f;
  return { x1: b.x1 - dx, y1: b.y1 - dy, x2: b.x2 + dx, y2: b.y2 + dy };
}
