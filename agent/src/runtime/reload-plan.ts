import type { Config } from '../config/schema.ts';

/** Config sections that the running agent cannot swap live; a reload that changes them is refused. */
export const RESTART_ONLY = ['site', 'mqtt', 'model', 'models', 'dataDir', 'http', 'logLevel', 'audit', 'evidence', 'catalogue'] as const;

export type ReloadPlan =
  | { ok: false; error: string }
  | {
      ok: true;
      /** Cameras to stop for good. */
      removed: string[];
      /** Cameras restarted with their new settings (analysis, zones, rules …). */
      restarted: Config['cameras'];
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
  return {
    ok: true,
    removed: [...before.keys()].filter((id) => !after.has(id)),
    restarted: [...after.values()].filter((c) => before.get(c.id) !== JSON.stringify(c)),
    masks: next.cameras
      .filter((c) => masksBefore.get(c.id) !== JSON.stringify(c.privacyMasks))
      .map((c) => ({ camera: c.id, privacyMasks: c.privacyMasks })),
  };
}
