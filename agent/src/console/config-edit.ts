import { parseDocument } from 'yaml';
import { z } from 'zod';
import { zoneMaskWarnings } from '../config/gating-warnings.ts';
import { parseConfigText } from '../config/load.ts';
import { ConfigError, type ConfigProblem, formatProblem } from '../core/errors.ts';
import type { Lang } from '../web/lang.ts';
import { keepLayout, lineDiff, merge } from '../web/yaml-edit.ts';

/**
 * What the editor sends for one camera. Only the shape is checked here: the content is checked by the config's own
 * schema on the whole edited file, so the console shows exactly what `check-config` would print.
 */
export const cameraEditSchema = z.strictObject({
  /** SHA-256 of the file the editor started from: a file changed meanwhile is not overwritten. */
  baseSha256: z.string().regex(/^[0-9a-f]{64}$/, { error: 'expected the SHA-256 of the config the editor loaded' }),
  zones: z.array(z.unknown()),
  privacyMasks: z.array(z.unknown()),
  /** null removes the calibration. */
  calibration: z.unknown().optional(),
});
export type CameraEdit = z.infer<typeof cameraEditSchema>;

export interface EditResult {
  text: string;
  diff: string;
  /** Every problem as check-config prints it (`FILE: path: message`), and by path for the fields. */
  problems: (ConfigProblem & { text: string })[];
  /** A valid edit that likely does not do what was meant (a zone under a mask), as check-config prints it. */
  warnings: string[];
}

/** The editable part of a camera as written in the file (no defaults added, no secrets expanded). */
export function editableCamera(text: string, cameraId: string): { index: number; camera: Record<string, unknown> } | undefined {
  const raw = parseDocument(text).toJS() as { cameras?: Record<string, unknown>[] } | null;
  const index = (raw?.cameras ?? []).findIndex((c) => c?.id === cameraId);
  if (index < 0) return undefined;
  const c = raw!.cameras![index];
  return {
    index,
    camera: {
      id: c.id,
      name: c.name,
      analysis: c.analysis,
      zones: c.zones ?? [],
      privacyMasks: c.privacyMasks ?? [],
      windows: c.windows ?? [],
      calibration: c.calibration,
    },
  };
}

/**
 * Applies an edit to the YAML text, changing only the nodes whose values change: comments and layout elsewhere stay.
 * The problems in `lang`: the page's, so that a zod message outside the console's table is Chinese too.
 */
export function applyCameraEdit(text: string, file: string, cameraIndex: number, edit: CameraEdit, lang: Lang = 'en'): EditResult {
  const doc = parseDocument(text);
  const base = ['cameras', cameraIndex];
  merge(doc, [...base, 'zones'], edit.zones);
  merge(doc, [...base, 'privacyMasks'], edit.privacyMasks);
  if (edit.calibration === null) doc.deleteIn([...base, 'calibration']);
  else if (edit.calibration !== undefined) merge(doc, [...base, 'calibration'], edit.calibration);
  const next = keepLayout(text, doc.toString({ lineWidth: 0 }));
  let problems: EditResult['problems'] = [];
  let warnings: string[] = [];
  try {
    const camera = parseConfigText(next, file, lang).config.cameras[cameraIndex];
    warnings = zoneMaskWarnings(camera).map((w) => `${file}: warning: cameras[${cameraIndex}].${w.path}: ${w.message}`);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems = err.problems.map((p) => ({ ...p, text: formatProblem(file, p) }));
  }
  return { text: next, diff: lineDiff(text, next), problems, warnings };
}
