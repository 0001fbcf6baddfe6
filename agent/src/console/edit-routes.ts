import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { RULE_TYPES } from '../contract/rule-types.ts';
import { sha256Hex } from '../core/hash.ts';
import type { Logger } from '../core/log.ts';
import { redact } from '../core/redact.ts';
import { ruleSchema } from '../rules/config.ts';
import { HttpError } from '../web/http-error.ts';
import { statedLang } from '../web/i18n.ts';
import type { WebContext } from '../web/server.ts';
import { saveConfigText } from '../web/yaml-edit.ts';
import { runningCamera } from './camera-routes.ts';
import { applyCameraEdit, type CameraEdit, cameraEditSchema, type EditResult, editableCamera } from './config-edit.ts';
import type { ConsoleRuntime } from './live.ts';
import type { EventInfo, PresetInfo } from './wire.ts';

/* The zone/mask/line and calibration editors' HTTP side: the file's camera out, a checked edit back in. */

export interface EditDeps {
  runtime: ConsoleRuntime;
  log: Logger;
}

/** What the editor is shown of a check or a save: passwords in the diff's context lines and the messages redacted. */
interface EditOutcome {
  diff: string;
  problems: EditResult['problems'];
  warnings: string[];
  changed: boolean;
}

/** The rule types' parameters as JSON Schema, for the editor's forms (the same zod schemas as the config). */
export const ruleTypes = () =>
  ruleSchema.options.map((o) => ({
    type: (o.shape.type as z.ZodLiteral<string>).value,
    schema: z.toJSONSchema(o, { io: 'input', unrepresentable: 'any' }),
  }));

const presets = (runtime: ConsoleRuntime): PresetInfo[] =>
  runtime.catalogue.events.flatMap((e): PresetInfo[] =>
    e.preset ? [{ id: e.id, name: e.name, code: e.codes.gbt?.code, type: e.preset.type, params: e.preset.params }] : [],
  );

/** The catalogue's event types, each with the rule types that report it unless told otherwise. */
const eventTypes = (runtime: ConsoleRuntime): EventInfo[] =>
  runtime.catalogue.events.map((e) => ({
    id: e.id,
    name: e.name,
    ...(e.codes.gbt?.code ? { code: e.codes.gbt.code } : {}),
    defaultFor: RULE_TYPES.filter((type) => runtime.catalogue.eventOf({ type }).id === e.id),
  }));

async function readConfig(file: string): Promise<{ text: string; sha256: string }> {
  const text = await readFile(file, 'utf8');
  return { text, sha256: sha256Hex(text) };
}

/** The camera `id` as the config file writes it, or 404. */
function fileCamera(runtime: ConsoleRuntime, text: string, id: string) {
  const found = editableCamera(text, id);
  if (!found) throw new HttpError(404, `camera "${id}" is not in ${runtime.configFile}`);
  return found;
}

/** GET /api/cameras/:id/edit: the camera as the file has it, with what the editor's forms are made from. */
export const editorData = (runtime: ConsoleRuntime) => async (c: WebContext) => {
  const running = runningCamera(runtime, c.params.id);
  const { text, sha256 } = await readConfig(runtime.configFile);
  c.json(200, {
    baseSha256: sha256,
    file: runtime.configFile,
    camera: fileCamera(runtime, text, c.params.id).camera,
    analysis: running.analysis,
    windows: running.windows,
    ruleTypes: ruleTypes(),
    presets: presets(runtime),
    events: eventTypes(runtime),
  });
};

/** POST /api/cameras/:id/check (`write` false) and PUT /api/cameras/:id/edit: the edit checked, and saved if asked. */
export const checkOrSave = (deps: EditDeps, write: boolean) => async (c: WebContext) => {
  const { runtime } = deps;
  const body = await c.body(cameraEditSchema, 1024 * 1024);
  const { text } = await readConfig(runtime.configFile);
  const result = applyCameraEdit(text, runtime.configFile, fileCamera(runtime, text, c.params.id).index, body, statedLang(c.req) ?? 'en');
  // The diff's context lines may hold a camera URL written with its password: never shown or audited as is.
  const out: EditOutcome = {
    diff: redact(result.diff),
    problems: result.problems.map((p) => ({ ...p, text: redact(p.text), message: redact(p.message) })),
    warnings: result.warnings.map(redact),
    changed: result.text !== text,
  };
  if (result.problems.length > 0) {
    c.auditDetail({ camera: c.params.id, refused: 'invalid', problems: out.problems.map((p) => p.text) });
    return c.json(422, { ...out, error: out.problems.map((p) => p.text).join('\n') });
  }
  if (!write || !out.changed) return c.json(200, out);
  return save(deps, c, body, result.text, out);
};

/** Writes the checked text unless the file changed since the editor loaded it, then applies it as `reload` does. */
async function save(deps: EditDeps, c: WebContext, body: CameraEdit, text: string, out: EditOutcome): Promise<void> {
  const { runtime } = deps;
  const saved = await saveConfigText(runtime.configFile, body.baseSha256, text);
  if ('conflict' in saved) {
    c.auditDetail({ camera: c.params.id, refused: 'conflict' });
    return c.json(409, {
      ...out,
      error: `${runtime.configFile} changed since the editor loaded it: reload the page; nothing was written`,
    });
  }
  const reload = await runtime.reload();
  const restartNeeded = !reload.ok && /restart/.test(reload.error);
  const reloadError = reload.ok ? {} : { reloadError: reload.error };
  c.auditDetail({
    camera: c.params.id,
    file: runtime.configFile,
    sha256: saved.sha256,
    backup: saved.backup,
    diff: out.diff,
    applied: reload.ok,
    ...reloadError,
  });
  deps.log.info(
    { stage: 'console', camera: c.params.id, user: c.session.user, backup: saved.backup, applied: reload.ok },
    'config saved from the console',
  );
  c.json(200, { ...out, saved: true, backup: saved.backup, sha256: saved.sha256, applied: reload.ok, restartNeeded, ...reloadError });
}
