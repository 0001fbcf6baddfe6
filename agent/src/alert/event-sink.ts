import type { AuditLog } from '../audit/audit-log.ts';
import type { Alert } from '../contract/alert.ts';
import { type Box, iou, type Point, type RgbImage } from '../core/geometry.ts';
import type { Logger } from '../core/log.ts';
import type { Detection } from '../detect/types.ts';
import type { EvidenceService } from '../evidence/service.ts';
import type { CrossingLine } from '../evidence/snapshot.ts';
import type { PlateEvidence } from '../plate/evidence-reads.ts';
import type { PlateReadText } from '../plate/vote.ts';
import type { Publisher } from '../publish/publisher.ts';
import type { ViolationUpdate } from '../rules/types.ts';
import { type AlertContext, buildAlert, categoryOf } from './build.ts';
import { eventWords, formatAlertLine } from './console-line.ts';

/** What a log line about an event says of it: the event's category first (`piled_materials 乱堆物堆料 (rule static_object)`). */
function about(camera: SinkCamera, u: ViolationUpdate): { camera: string; eventId: string; event: string } {
  const event = eventWords({ type: u.rule.type, category: categoryOf(u.rule, camera.alertContext) });
  return { camera: camera.id, eventId: u.eventId, event };
}

/** What the sink needs of a camera to turn its lifecycle messages into alerts. */
export interface SinkCamera {
  id: string;
  name?: string;
  /** Plate reading on this camera (absent: off), and the confidence below which a voted plate is left out. */
  plates?: { minConfidence: number };
  /** Zone polygons and the crossing lines of its rules (by rule id) in analysis-frame pixels, by zone id, drawn on snapshots. */
  zones: ReadonlyMap<string, { name: string; polygon: readonly Point[]; lines: ReadonlyMap<string, CrossingLine> }>;
  /** Everything buildAlert needs except the evidence. */
  alertContext: Omit<AlertContext, 'evidence'>;
}

export interface EventSinkDeps {
  publisher: Publisher;
  evidence: EvidenceService;
  audit: AuditLog;
  log: Logger;
  /** One readable line per alert (the console). */
  onAlert: (alert: Alert, line: string) => void;
  /** The plates read while vehicles dwelt; absent on a box without the plate models. */
  plates?: PlateEvidence;
}

interface EventEvidence {
  evidence: Alert['evidence'];
  clip?: Promise<void>;
}

/** An event's object as saved with it: its track id then and where it was. */
interface SavedObject {
  trackId: number;
  box: Box;
}

/** Plate reads of one of an event's objects, by its track id when saved. */
interface ObjectReads {
  trackId: number;
  reads: readonly PlateReadText[];
}

/** A previous run's object is this run's when they are alone in their event, or where they overlap most. */
const SAME_OBJECT_IOU = 0.3;

/**
 * Turns the rules' lifecycle messages into published alerts: evidence (snapshot when the event starts, when a
 * better frame comes, and the "after" picture when it clears; a clip around the start), the audit record of the
 * decision, the durable outbox, the console line. Messages of one camera are handled strictly in order, without
 * holding up the frame loop.
 */
export class EventSink {
  private readonly queues = new Map<string, Promise<void>>();
  private readonly events = new Map<string, EventEvidence>();
  /** Plate reads of the previous run's open events, by event id, with where their objects were. */
  private readonly carriedPlates = new Map<string, (SavedObject & { reads: readonly PlateReadText[] })[]>();
  private readonly log: Logger;

  constructor(private readonly deps: EventSinkDeps) {
    this.log = deps.log.child({ stage: 'alert' });
  }

  /**
   * Queues lifecycle messages. `frame` is the privacy-masked analysis frame they were decided on (absent for an
   * operator's action, which then reuses the event's last evidence); it is copied only when a snapshot is due,
   * because the loop reuses its buffer as soon as this returns.
   */
  submit(
    camera: SinkCamera,
    updates: readonly ViolationUpdate[],
    frame: RgbImage | undefined,
    at: number,
    detections: readonly Detection[] = [],
  ): void {
    if (updates.length === 0) return;
    const needsPixels = frame !== undefined && updates.some(wantsSnapshot);
    const pixels = needsPixels ? { data: Uint8Array.from(frame.data), width: frame.width, height: frame.height } : undefined;
    const others = needsPixels ? detections.map((d) => ({ box: d.box, label: d.label })) : [];
    const prev = this.queues.get(camera.id) ?? Promise.resolve();
    const next = prev.then(async () => {
      for (const u of updates) {
        await this.handle(camera, u, pixels, at, others).catch((err: unknown) =>
          // The outbox write is what must not fail silently: say so loudly, with the event.
          this.log.error({ ...about(camera, u), state: u.state, err }, 'alert could not be queued'),
        );
      }
    });
    this.queues.set(camera.id, next);
  }

  /** The evidence the event's alerts carry now, to be saved with the open event. */
  evidenceOf(eventId: string): Alert['evidence'] | undefined {
    return this.events.get(eventId)?.evidence;
  }

  /** An event continued after a restart carries the evidence its alerts carried before. */
  adoptEvidence(eventId: string, evidence: Alert['evidence']): void {
    if (!this.events.has(eventId)) this.events.set(eventId, { evidence });
  }

  /** An event continued after a restart votes its plates with the reads of the previous run (`platesOf` then). */
  adoptPlates(eventId: string, objects: readonly SavedObject[], saved: readonly ObjectReads[]): void {
    const carried = saved.flatMap((s) => {
      const o = objects.find((x) => x.trackId === s.trackId);
      return o ? [{ trackId: s.trackId, box: o.box, reads: s.reads }] : [];
    });
    if (carried.length > 0) this.carriedPlates.set(eventId, carried);
  }

  /** The plate reads of the event's objects, to be saved with the open event (a restart keeps the vote going). */
  platesOf(camera: string, event: { eventId: string; objects: readonly SavedObject[] }): ObjectReads[] {
    if (!this.deps.plates) return [];
    const now = this.deps.plates.readsOf(
      camera,
      event.objects.map((o) => o.trackId),
    );
    const carried = this.carriedPlates.get(event.eventId) ?? [];
    return event.objects.flatMap((o) => {
      const reads = now.get(o.trackId) ?? carried.find((c) => c.trackId === o.trackId)?.reads;
      return reads ? [{ trackId: o.trackId, reads: [...reads] }] : [];
    });
  }

  /** Resolves when every queued message is in the outbox (and clips being cut are stored). */
  async drain(): Promise<void> {
    await Promise.all(this.queues.values());
    await Promise.all([...this.events.values()].map((e) => e.clip));
  }

  private async handle(
    camera: SinkCamera,
    u: ViolationUpdate,
    frame: RgbImage | undefined,
    at: number,
    others: { box: Detection['box']; label: string }[],
  ): Promise<void> {
    const known = this.events.get(u.eventId) ?? { evidence: {} };
    this.events.set(u.eventId, known);
    this.passOnPlates(camera.id, u);
    // Read during the dwell (camera-pipeline), so nothing here waits for a plate.
    const plateOf =
      camera.plates &&
      this.deps.plates?.consensus(
        camera.id,
        u.objects.map((o) => o.trackId),
        camera.plates.minConfidence,
      );
    const jpeg = frame && wantsSnapshot(u) ? await this.snapshot(camera, u, { frame, at, others, plateOf }, known) : undefined;
    // Around the decision, not the condition's start: a car parked 3 minutes ago is long out of the ring.
    if (u.state === 'started') known.clip = this.cutClip(camera.id, u.eventId, at, known);

    const alert = buildAlert(u, { ...camera.alertContext, evidence: known.evidence, ...(plateOf && { plates: plateOf }) });
    // The durable outbox first: an alert never waits on, or is lost with, the audit log (a full disk, a slow card).
    await this.deps.publisher.publishEvent(alert, jpeg);
    this.deps.onAlert(alert, formatAlertLine(alert));
    this.deps.audit
      .append('event_decision', decisionRecord(camera.id, u, alert))
      .catch((err: unknown) => this.log.error({ ...about(camera, u), err }, 'audit record of the decision not written'));
    if (u.state === 'ended' || u.state === 'cleared') {
      this.carriedPlates.delete(u.eventId);
      void (known.clip ?? Promise.resolve()).then(() => this.events.delete(u.eventId));
    }
  }

  /** The previous run's reads of a continued event's objects go to their tracks of this run. */
  private passOnPlates(camera: string, u: ViolationUpdate): void {
    const carried = this.carriedPlates.get(u.eventId);
    if (!carried || !this.deps.plates) return;
    for (const o of u.objects) {
      const from =
        carried.length === 1 && u.objects.length === 1
          ? carried[0]
          : carried.filter((c) => iou(c.box, o.box) >= SAME_OBJECT_IOU).sort((a, b) => iou(b.box, o.box) - iou(a.box, o.box))[0];
      if (from) this.deps.plates.adopt(camera, o.trackId, from.reads);
    }
  }

  /**
   * The snapshot of the decision, drawn with the event's objects (and plates), its zone and line, and the other
   * detections; the event's evidence then names it. Returns its JPEG for the outbox, or nothing when it was not stored.
   */
  private async snapshot(
    camera: SinkCamera,
    u: ViolationUpdate,
    f: { frame: RgbImage; at: number; others: { box: Detection['box']; label: string }[]; plateOf: PlateVotesOf },
    known: EventEvidence,
  ): Promise<Buffer | undefined> {
    const { frame, at, others, plateOf } = f;
    const zone = camera.zones.get(u.zone.id);
    // Evidence is shed before alerts: a snapshot that cannot be stored (a full disk) leaves the alert without it.
    const snap = await this.deps.evidence
      .snapshot({
        eventId: u.eventId,
        camera: camera.id,
        frame,
        at,
        objects: u.objects.map((o) => ({
          box: o.box,
          label: o.label,
          score: o.score,
          trackId: o.trackId,
          ...(plateOf?.has(o.trackId) && { plate: plateOf.get(o.trackId)!.text }),
        })),
        zone: zone && { name: zone.name, polygon: zone.polygon },
        line: zone?.lines.get(u.rule.id),
        others: others.filter((o) => !u.objects.some((e) => sameBox(e.box, o.box))),
        trainingFrame: u.state !== 'cleared',
      })
      .catch((err: unknown) => {
        this.log.warn({ ...about(camera, u), err }, 'snapshot not stored; the alert goes without it');
        return undefined;
      });
    if (!snap) return undefined;
    known.evidence = {
      ...known.evidence,
      snapshot: {
        sha256: snap.sha256,
        bytes: snap.bytes,
        width: snap.width,
        height: snap.height,
        topic: this.deps.publisher.topics.eventSnapshot(camera.id, u.eventId),
      },
      thumbnail: snap.thumbnail,
    };
    return snap.jpeg;
  }

  /** The clip waits for its post-roll; it rides on the event's next message once stored. */
  private cutClip(camera: string, eventId: string, at: number, known: EventEvidence): Promise<void> {
    return this.deps.evidence
      .clip(eventId, camera, at)
      .then((clip) => {
        if (clip) known.evidence = { ...known.evidence, clip: clip.clip };
      })
      .catch((err: unknown) => this.log.warn({ camera, eventId, err }, 'clip not stored'));
  }
}

/** The plates voted for the event's objects, by track id (absent when plate reading is off). */
type PlateVotesOf = ReturnType<PlateEvidence['consensus']> | undefined;

/** The audit record of one decision: what was decided, on what, and the evidence it carries. */
function decisionRecord(camera: string, u: ViolationUpdate, alert: Alert): Record<string, unknown> {
  return {
    eventId: u.eventId,
    seq: u.seq,
    state: u.state,
    camera,
    zone: u.zone.id,
    rule: alert.rule,
    ...(alert.category && { category: alert.category.id }),
    model: alert.model,
    dwellSeconds: alert.dwellSeconds,
    objects: alert.objects.map((o) => ({ label: o.label, score: o.score, trackId: o.trackId, ...(o.plate && { plate: o.plate }) })),
    ...(alert.reason ? { reason: alert.reason } : {}),
    ...(alert.evidence.snapshot ? { snapshotSha256: alert.evidence.snapshot.sha256 } : {}),
    ...(alert.evidence.clip ? { clipSha256: alert.evidence.clip.sha256 } : {}),
  };
}

function wantsSnapshot(u: ViolationUpdate): boolean {
  return u.state === 'started' || u.state === 'cleared' || u.betterEvidence;
}

function sameBox(a: Detection['box'], b: Detection['box']): boolean {
  return a.x1 === b.x1 && a.y1 === b.y1 && a.x2 === b.x2 && a.y2 === b.y2;
}
