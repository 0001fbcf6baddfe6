import type { Config } from '../config/schema.ts';

/**
 * A camera's settings that its running pipeline takes over in place (stream, tracker and what the rules know go on);
 * a change to any other setting restarts the camera.
 */
export const IN_PLACE_CAMERA_FIELDS = ['name', 'location', 'address', 'calibration', 'privacyMasks', 'zones'] as const;

/** Config sections that the running agent cannot swap live; a reload that changes them is refused. */
export const RESTART_ONLY = ['site', 'mqtt', 'model', 'models', 'dataDir', 'http', 'logLevel', 'audit', 'evidence', 'catalogue'] as const;

export type ReloadPlan =
  | { ok: false; error: string }
  | {
      ok: true;
      /** Cameras to stop for good. */
      removed: string[];
      /** Cameras restarted with their new settings (stream, analysis, detection, models, tracker …). */
      restarted: Config['cameras'];
      /** Cameras whose zones, rules, masks, calibration or words changed, and nothing else: reconfigured in place. */
      reconfigured: Config['cameras'];
      /**
       * Cameras whose privacy masks changed, with the new ones: besides the restarted pipeline, the evidence service
       * (snapshots, clips, plate frames) must black out the new areas from the next frame on.
       */
      masks: { camera: string; privacyMasks: Config['cameras'][number]['privacyMasks'] }[];
    };

/**
 * What a reload from `current` to `next` must do, or why it cannot be done live. Pure: the running agent applies the
 * plan, or keeps its config when the plan refuses.
 */
export function planReload(current: Config, next: Config): ReloadPlan {
  const changed = RESTART_ONLY.filter((k) => JSON.stringify(next[k]) !== JSON.stringify(current[k]));
  if (changed.length > 0)
    return { ok: false, error: `changes to ${changed.join(', ')} need a restart of the agent; the running config is kept` };
  const before = new Map(current.cameras.map((c) => [c.id, JSON.stringify(c)]));
  const after = new Map(next.cameras.map((c) => [c.id, c]));
  const added = [...after.keys()].filter((id) => !before.has(id));
  if (added.length > 0) {
    return {
      ok: false,
      error: `new cameras (${added.join(', ')}) need a restart of the agent (evidence rings are set up at start); the running config is kept`,
    };
  }
  const masksBefore = new Map(current.cameras.map((c) => [c.id, JSON.stringify(c.privacyMasks)]));
  const streamBefore = new Map(current.cameras.map((c) => [c.id, streamPart(c)]));
  const edited = [...after.values()].filter((c) => before.get(c.id) !== JSON.stringify(c));
  return {
    ok: true,
    removed: [...before.keys()].filter((id) => !after.has(id)),
    restarted: edited.filter((c) => streamBefore.get(c.id) !== streamPart(c)),
    reconfigured: edited.filter((c) => streamBefore.get(c.id) === streamPart(c)),
    masks: next.cameras
      .filter((c) => masksBefore.get(c.id) !== JSON.stringify(c.privacyMasks))
      .map((c) => ({ camera: c.id, privacyMasks: c.privacyMasks })),
  };
}

/** A camera's settings other than those taken over in place, as one string. */
function streamPart(camera: Config['cameras'][number]): string {
  const rest: Record<string, unknown> = { ...camera };
  for (const k of IN_PLACE_CAMERA_FIELDS) delete rest[k];
  return JSON.stringify(rest);
}
