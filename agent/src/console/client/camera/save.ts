import type { ApiError } from '../../../web/client/api.ts';
import { h } from '../../../web/client/dom.ts';
import { currentLang } from '../../../web/client/i18n.ts';
import { t } from '../dom.ts';
import { type EditData, loadEditData, type SaveAnswer, sendEdit } from '../edit-api.ts';
import { problemWords } from '../problem-words.ts';
import { ruleProblems } from '../rule-check.ts';
import { ruleInfo } from '../rule-form.ts';
import { clearSaveBoxes, outcomeLine, problemList, warningList } from '../save-result.ts';
import { serverWords } from '../server-words.ts';
import { type CameraView, editBody } from './state.ts';

/** Check (`write` false) or save: the diff, the outcome, or the problems (each also beside its field). */
export async function submit(view: CameraView, write: boolean): Promise<void> {
  const { edit } = view;
  if (!edit) return;
  const { resultBox, diffBox, shapeForm } = view.parts;
  clearSaveBoxes(view.parts);
  for (const el of shapeForm.querySelectorAll('.field-problem.from-server')) {
    el.textContent = '';
    el.classList.remove('from-server');
  }
  const body = editBody(view.shapes, edit);
  // A value the form already refused is not sent: the person sees the same words, with the zone and rule named.
  if (refusedHere(view, body.zones, edit)) return;
  try {
    const r = await sendEdit(view.camera, write, body);
    diffBox.textContent = r.diff;
    resultBox.append(outcomeLine(r, write, notApplied));
    if (r.warnings?.length) resultBox.append(warningList(r.warnings, body.zones));
    // Saved: the next save starts from the file as written now.
    if (write && r.saved) view.edit = await loadEditData(view.camera);
  } catch (err) {
    showRefusal(view, err as ApiError, body.zones);
  }
}

/** Lists the rule values the form refuses (each zone's rules, selected or not); true when there are any. */
function refusedHere(view: CameraView, zones: EditData['camera']['zones'], edit: EditData): boolean {
  const lang = currentLang();
  const lines = zones.flatMap((z, zi) =>
    z.rules.flatMap((r, ri) => {
      const { info, preset } = ruleInfo(r, edit.ruleTypes, edit.presets);
      return ruleProblems(r, info.schema, preset !== undefined).map((p) => {
        const path = `zones[${zi}].rules[${ri}].${p.field}`;
        const words = problemWords({ path, message: '' }, zones, lang, t(p.problem.key, p.problem.vars));
        return h('li', { class: 'problem', 'data-path': path }, words);
      });
    }),
  );
  if (lines.length === 0) return false;
  view.parts.problemsBox.append(h('p', {}, t('edit.invalid')), h('ul', {}, ...lines));
  return true;
}

/** A save the agent could not apply: a restart applies it, or the reload failed (the file is saved either way). */
function notApplied(r: SaveAnswer): HTMLParagraphElement {
  if (r.restartNeeded)
    return h(
      'p',
      { class: 'warn', id: 'saved' },
      t('save.restart', { backup: r.backup!, error: serverWords(r.reloadError!, currentLang()) }),
    );
  return h(
    'p',
    { class: 'error', id: 'saved' },
    t('save.reloadFailed', { backup: r.backup!, error: serverWords(r.reloadError ?? '', currentLang()) }),
  );
}

/** A conflict, the problems listed and each shown beside its field (or the nearest part of the form that has one). */
function showRefusal(view: CameraView, e: ApiError, zones: EditData['camera']['zones']): void {
  const { problemsBox, shapeForm } = view.parts;
  const answer = e.status === 422 || e.status === 409 ? ((e as unknown as { problems: SaveAnswer['problems'] }).problems ?? []) : [];
  if (e.status === 409) problemsBox.append(h('p', {}, t('save.conflict')));
  else if (answer.length) {
    const list = problemList(answer, zones);
    problemsBox.append(...list);
    const words = [...list[1].children].map((li) => li.textContent ?? '');
    answer.forEach((p, i) => {
      const el = besideField(shapeForm, p.path.replace(/^cameras\[\d+\]\./, ''));
      if (!el) return;
      el.textContent = words[i];
      el.classList.add('from-server');
      el.closest('details')?.setAttribute('open', '');
    });
  } else problemsBox.append(h('p', {}, serverWords(e.message, currentLang())));
}

/** The problem line of the field a path names, or of the nearest enclosing part shown (the rule, the zone's outline). */
function besideField(form: HTMLElement, path: string): Element | null {
  for (let p = path; p; p = p.replace(/(\.[^.[\]]+|\[\d+\])$/, '')) {
    const el = form.querySelector(`.field-problem[data-path="${p}"]`);
    if (el) return el;
    if (!/(\.[^.[\]]+|\[\d+\])$/.test(p)) break;
  }
  const zone = /^zones\[(\d+)\]/.exec(path);
  return zone ? form.querySelector(`.field-problem[data-path="zones[${zone[1]}].polygon"]`) : null;
}
