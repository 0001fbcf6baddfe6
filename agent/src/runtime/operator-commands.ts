import type { CommandHandlers, CommandOutcome, SnapshotOutcome } from '../commands/handlers/types.ts';
import type { Config } from '../config/schema.ts';
import type { EventCommand } from '../contract/commands.ts';
import type { OperatorAction } from '../contract/event-states.ts';
import { iou } from '../core/geometry.ts';
import type { Logger } from '../core/log.ts';
import type { Instant } from '../core/time.ts';
import { systemClock } from '../core/time.ts';
import type { EvidenceService } from '../evidence/service.ts';
import { renderSnapshot } from '../evidence/snapshot.ts';
import type { OperatorActionOptions, OperatorResult } from '../rules/types.ts';
import type { CameraPipeline } from './camera-pipeline.ts';

/** How long an operator's request waits for the camera's next analysed frame. */
const FRAME_WAIT_MS = 10_000;

export interface OperatorCommandDeps {
  pipelines: ReadonlyMap<string, CameraPipeline>;
  evidence: EvidenceService;
  model: { name: string; sha256: string };
  config: () => Config;
  reload: () => Promise<CommandOutcome>;
  /** The publisher's re-send of delivered alerts (`cmd/resend`). */
  resend: CommandHandlers['resend'];
  log: Logger;
}

/** What the box does for each operator command: decisions on events, fresh snapshots, reloads. */
export function operatorCommandHandlers(deps: OperatorCommandDeps): CommandHandlers {
  const { pipelines, evidence, log } = deps;

  // A false positive is kept (masked, unannotated, with the wrongly reported boxes) as a hard negative for training.
  const keepHardNegative = (
    p: CameraPipeline,
    cmd: EventCommand,
    objects: readonly { box: { x1: number; y1: number; x2: number; y2: number }; label: string; score: number; trackId: number }[],
  ) =>
    p
      .nextFrame(FRAME_WAIT_MS)
      .then((f) =>
        evidence.hardNegative(cmd.eventId, p.camera.id, f.image, f.at, {
          objects,
          // The frame is a moment later than the event's: its own objects are the detections that overlap them.
          others: f.detections.filter((d) => !objects.some((o) => iou(o.box, d.box) > 0.5)),
          model: deps.model,
          by: cmd.by,
          note: cmd.note,
        }),
      )
      .catch((err: unknown) => log.warn({ camera: p.camera.id, eventId: cmd.eventId, err }, 'false-positive frame not kept'));

  const applyEventAction = (cmd: EventCommand, at: number): CommandOutcome => {
    let camera: string | undefined;
    const r = applyOperatorActionToAny(
      pipelines.values(),
      cmd.eventId,
      cmd.action,
      { wall: at, mono: systemClock.monotonic() },
      { by: cmd.by, note: cmd.note, unit: cmd.unit },
      (p, applied) => {
        camera = p.camera.id;
        if (cmd.action === 'false_positive') void keepHardNegative(p, cmd, applied.update?.objects ?? []);
      },
    );
    return r.ok ? { ok: true, detail: { eventId: r.eventId, action: r.action, camera } } : { ok: false, error: r.error };
  };

  const snapshot = async (camera: string): Promise<SnapshotOutcome> => {
    const p = pipelines.get(camera);
    if (!p) return { ok: false, error: `unknown camera "${camera}"` };
    const { site, evidence: evidenceConfig } = deps.config();
    try {
      const f = await p.nextFrame(FRAME_WAIT_MS);
      const snap = await renderSnapshot(
        f.image,
        {
          objects: f.detections.map((d) => ({ box: d.box, label: d.label, score: d.score })),
          camera: p.camera.name ?? p.camera.id,
          at: f.at,
        },
        { frame: p.camera.analysis, timezone: site.timezone, quality: evidenceConfig.jpegQuality },
      );
      return { ok: true, jpeg: snap.jpeg, width: snap.width, height: snap.height, sha256: snap.sha256 };
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  };

  return {
    applyEventAction,
    cameras: () => [...pipelines.keys()],
    snapshot,
    reload: deps.reload,
    captureReference: (camera) => pipelines.get(camera)!.captureReference(),
    resend: deps.resend,
  };
}

/** Anything that applies operator actions for one camera's events: its rules, or the pipeline around them. */
export interface OperatorTarget {
  applyOperatorAction(eventId: string, action: OperatorAction, at: Instant, opts: OperatorActionOptions): OperatorResult;
}

/**
 * An operator action for an event on any of the box's cameras: the first camera that knows the id answers, and
 * `onApplied` learns which one it was.
 */
export function applyOperatorActionToAny<T extends OperatorTarget>(
  cameras: Iterable<T>,
  eventId: string,
  action: OperatorAction,
  at: Instant,
  opts: OperatorActionOptions,
  onApplied?: (camera: T, result: Extract<OperatorResult, { ok: true }>) => void,
): OperatorResult {
  for (const target of cameras) {
    const result = target.applyOperatorAction(eventId, action, at, opts);
    if (result.ok) onApplied?.(target, result);
    if (result.ok || result.code !== 'unknown_event') return result;
  }
  return {
    ok: false,
    code: 'unknown_event',
    error: `unknown event id "${eventId}": expected the id of an active event on this box; nothing changed`,
  };
}
