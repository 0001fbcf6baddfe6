import type { ApiError } from '../../../web/client/api.ts';
import { h } from '../../../web/client/dom.ts';
import { t } from '../dom.ts';
import { loadEditData, type SaveAnswer, sendEdit } from '../edit-api.ts';
import { clearSaveBoxes, outcomeLine, problemList, warningList } from '../save-result.ts';
import { type CameraView, editBody } from './state.ts';

/** Check (`write` false) or save: the diff, the outcome, or the problems (each also beside its field). */
export async function submit(view: CameraView, write: boolean): Promise<void> {
  const { edit } = view;
  if (!edit) return;
  const { resultBox, diffBox, shapeForm } = view.parts;
  clearSaveBoxes(view.parts);
  for (const el of shapeForm.querySelectorAll('.field-problem')) el.textContent = '';
  try {
    const r = await sendEdit(view.camera, write, editBody(view.shapes, edit));
    diffBox.textContent = r.diff;
    resultBox.append(outcomeLine(r, write, notApplied));
    if (r.warnings?.length) resultBox.append(warningList(r.warnings));
    // Saved: the next save starts from the file as written now.
    if (write && r.saved) view.edit = await loadEditData(view.camera);
  } catch (err) {
    showRefusal(view, err as ApiError);
  }
}

/** A save the agent could not apply: a restart applies it, or the reload failed (the file is saved either way). */
function notApplied(r: SaveAnswer): HTMLParagraphElement {
  if (r.restartNeeded) return h('p', { class: 'warn', id: 'saved' }, t('save.restart', { backup: r.backup!, error: r.reloadError! }));
  return h('p', { class: 'error', id: 'saved' }, t('save.reloadFailed', { backup: r.backup!, error: r.reloadError ?? '' }));
}

/** A conflict, the problems listed and each shown beside its zone's field (or polygon), or the server's words. */
function showRefusal(view: CameraView, e: ApiError): void {
  const { problemsBox, shapeForm } = view.parts;
  const answer = e.status === 422 || e.status === 409 ? ((e as unknown as { problems: SaveAnswer['problems'] }).problems ?? []) : [];
  if (e.status === 409) problemsBox.append(h('p', {}, t('save.conflict')));
  else if (answer.length) {
    problemsBox.append(...problemList(answer));
    for (const p of answer) {
      const m = /zones\[(\d+)\](.*)$/.exec(p.path);
      const el =
        m &&
        (shapeForm.querySelector(`.field-problem[data-path="zones[${m[1]}]${m[2]}"]`) ??
          shapeForm.querySelector(`.field-problem[data-path="zones[${m[1]}].polygon"]`));
      if (el) el.textContent = `${p.path.replace(/^cameras\[\d+\]\./, '')}: ${p.message}`;
    }
  } else problemsBox.append(h('p', {}, e.message));
}
