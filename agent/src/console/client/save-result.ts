import { clear, h } from '../../web/client/dom.ts';
import { currentLang } from '../../web/client/i18n.ts';
import { t } from './dom.ts';
import type { SaveAnswer } from './edit-api.ts';
import { type NamedZone, problemWords, warningWords } from './problem-words.ts';

/* What the editors show under their check and save buttons (the live view's and the calibration's alike). */

export interface SaveBoxes {
  problemsBox: HTMLElement;
  resultBox: HTMLElement;
  diffBox: HTMLElement;
}

/** The check and save buttons, and the boxes for what they answer. */
export function saveControls(boxes: SaveBoxes, submit: (write: boolean) => Promise<void>): HTMLElement[] {
  return [
    h(
      'div',
      { class: 'row' },
      h('button', { class: 'secondary', id: 'check', onclick: () => void submit(false) }, t('edit.check')),
      h('button', { id: 'save', onclick: () => void submit(true) }, t('edit.save')),
    ),
    boxes.problemsBox,
    boxes.resultBox,
    boxes.diffBox,
  ];
}

export function clearSaveBoxes({ problemsBox, resultBox, diffBox }: SaveBoxes): void {
  clear(problemsBox);
  clear(resultBox);
  diffBox.textContent = '';
}

/** One line for what a check or a save did; `notApplied` words a save the running agent did not take up. */
export function outcomeLine(r: SaveAnswer, write: boolean, notApplied: (r: SaveAnswer) => HTMLParagraphElement): HTMLParagraphElement {
  if (!r.changed) return h('p', { class: 'muted' }, t('save.noChange'));
  if (!write) return h('p', { class: 'ok' }, t('check.ok'));
  if (r.applied) return h('p', { class: 'ok', id: 'saved' }, t('save.ok', { backup: r.backup! }));
  return notApplied(r);
}

/**
 * The refused edit's problems, one per line, each naming its zone and rule by name in the page's language; the line as
 * check-config prints it (file, path, line and column) is its tooltip, for whoever edits the file by hand.
 */
export function problemList(problems: SaveAnswer['problems'], zones: readonly NamedZone[]): HTMLElement[] {
  const lang = currentLang();
  return [
    h('p', {}, t('save.problems')),
    h('ul', {}, ...problems.map((p) => h('li', { class: 'problem', title: p.text, 'data-path': p.path }, problemWords(p, zones, lang)))),
  ];
}

/** What a valid edit likely did not mean (a zone blacked out by a mask), shown whether checked or saved. */
export function warningList(warnings: readonly string[], zones: readonly NamedZone[]): HTMLElement {
  const lang = currentLang();
  return h(
    'div',
    { id: 'save-warnings', class: 'warn' },
    h('p', {}, t('save.warnings')),
    h('ul', {}, ...warnings.map((w) => h('li', { class: 'warning', title: w }, warningWords(w, zones, lang)))),
  );
}
