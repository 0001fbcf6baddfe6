import type { ApiError } from '../../../web/client/api.ts';
import { h } from '../../../web/client/dom.ts';
import { currentLang } from '../../../web/client/i18n.ts';
import { t } from '../dom.ts';
import { type EditData, loadEditData, type SaveAnswer, sendEdit } from '../edit-api.ts';
import { clearSaveBoxes, outcomeLine, problemList } from '../save-result.ts';
import { serverWords } from '../server-words.ts';
import { fromPx } from '../units.ts';
import { inWgs84 } from './datum.ts';
import type { CalibrationView } from './state.ts';

/** The calibration as the file writes it (in its units, pixels when it has none yet); null removes it. */
function calibrationBody(view: CalibrationView, edit: EditData) {
  const units = edit.camera.calibration?.units ?? 'pixels';
  const { width: w, height: hgt } = edit.analysis;
  return view.marks.length === 0
    ? null
    : {
        ...(edit.camera.calibration ?? {}),
        units,
        points: view.marks
          .map(inWgs84)
          .map((m) => ({ pixel: fromPx(m.pixel, units, w, hgt), geo: { lat: Number(m.lat), lon: Number(m.lon) } })),
      };
}

/** Check (`write` false) or save the calibration; the zones and masks are sent back as the file has them. */
export async function submit(view: CalibrationView, write: boolean): Promise<void> {
  const { edit } = view;
  if (!edit) return;
  const { problemsBox, resultBox, diffBox } = view.parts;
  clearSaveBoxes(view.parts);
  const body = {
    baseSha256: edit.baseSha256,
    zones: edit.camera.zones,
    privacyMasks: edit.camera.privacyMasks,
    calibration: calibrationBody(view, edit),
  };
  try {
    const r = await sendEdit(view.camera, write, body);
    diffBox.textContent = r.diff;
    resultBox.append(outcomeLine(r, write, notApplied));
    if (write && r.saved) view.edit = await loadEditData(view.camera);
  } catch (err) {
    const e = err as ApiError;
    const problems = (e.problems ?? []) as SaveAnswer['problems'];
    if (problems.length) problemsBox.append(...problemList(problems, edit.camera.zones));
    else problemsBox.append(h('p', {}, e.status === 409 ? t('save.conflict') : serverWords(e.message, currentLang())));
  }
}

/** The calibration is saved either way: a reload that failed says a restart applies it. */
const notApplied = (r: SaveAnswer) =>
  h('p', { class: 'warn', id: 'saved' }, t('save.restart', { backup: r.backup!, error: serverWords(r.reloadError ?? '', currentLang()) }));
