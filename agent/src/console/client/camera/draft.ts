import { h } from '../../../web/client/dom.ts';
import { t } from '../dom.ts';
import type { EditData } from '../edit-api.ts';
import { draw } from './draw.ts';
import { renderShapes } from './editor.ts';
import { type CameraView, editBody, shapesOf } from './state.ts';

/*
 * Unsaved edits outlive a reload, a crash of the browser or a click elsewhere: they are kept in the browser (per camera,
 * against the file version they were made on) until saved or discarded, and leaving the page with them asks first.
 */

type Body = ReturnType<typeof editBody>;
const key = (camera: string) => `jifang.console.draft.${camera}`;

/** The edits differ from the file as loaded. */
export function isDirty(view: CameraView): boolean {
  return (
    view.edit !== undefined && JSON.stringify(editBody(view.shapes, view.edit)) !== JSON.stringify(editBody(shapesOf(view.edit), view.edit))
  );
}

/** Keeps the unsaved edits in the browser, or forgets them once there are none. */
export function keepDraft(view: CameraView): void {
  if (!view.edit) return;
  if (isDirty(view)) localStorage.setItem(key(view.camera), JSON.stringify(editBody(view.shapes, view.edit)));
  else localStorage.removeItem(key(view.camera));
}

/**
 * Puts back the edits kept for this camera when they were made on the file as it is now, and says so with a way to
 * throw them away; a draft made on an older file is dropped (saving it would overwrite someone's change).
 */
export function restoreDraft(view: CameraView, edit: EditData): void {
  const text = localStorage.getItem(key(view.camera));
  if (!text) return;
  const draft = JSON.parse(text) as Body;
  if (draft.baseSha256 !== edit.baseSha256) {
    localStorage.removeItem(key(view.camera));
    return;
  }
  const restored = { ...edit, camera: { ...edit.camera, zones: draft.zones, privacyMasks: draft.privacyMasks } } as EditData;
  view.shapes = shapesOf(restored);
  const discard = h('button', { type: 'button', class: 'secondary', id: 'discard-draft' }, t('draft.discard'));
  const note = h('p', { class: 'warn', id: 'draft-restored' }, t('draft.restored'), ' ', discard);
  discard.addEventListener('click', () => {
    view.shapes = shapesOf(edit);
    view.selected = undefined;
    localStorage.removeItem(key(view.camera));
    note.remove();
    renderShapes(view);
    draw(view);
  });
  view.parts.resultBox.before(note);
}

/** Every second the edits are kept; leaving with unsaved ones asks the browser's "leave page?" first. */
export function watchDraft(view: CameraView): void {
  setInterval(() => keepDraft(view), 1000);
  window.addEventListener('beforeunload', (ev) => {
    keepDraft(view);
    if (isDirty(view)) ev.preventDefault();
  });
}
