import { clear, h } from '../../../web/client/dom.ts';
import { t } from '../dom.ts';
import type { FileZone } from '../edit-api.ts';
import { saveControls } from '../save-result.ts';
import { draw } from './draw.ts';
import { submit } from './save.ts';
import type { CameraView, Shape } from './state.ts';
import { zoneForm } from './zone-form.ts';

/* The editor beside the live view: the list of zones and masks, the selected one's form, check and save. */

export function editorPanel(view: CameraView): void {
  const { editor, shapeList, shapeForm } = view.parts;
  editor.append(
    h('p', { class: 'small muted' }, t('edit.help')),
    h(
      'div',
      { class: 'row' },
      h('button', { class: 'secondary', id: 'add-zone', onclick: () => addShape(view, 'zone') }, t('edit.addZone')),
      h('button', { class: 'secondary', id: 'add-mask', onclick: () => addShape(view, 'mask') }, t('edit.addMask')),
    ),
    shapeList,
    shapeForm,
    ...saveControls(view.parts, (write) => submit(view, write)),
  );
}

/** One button per shape (zones by id, masks numbered), then the selected shape's form. */
export function renderShapes(view: CameraView): void {
  const { shapeList } = view.parts;
  clear(shapeList);
  let maskNo = 0;
  for (const sh of view.shapes) {
    const name = sh.kind === 'zone' ? sh.zone!.id : t('edit.mask', { n: ++maskNo });
    shapeList.append(
      h('button', { class: sh === view.selected ? '' : 'secondary', 'data-shape': name, onclick: () => select(view, sh) }, name),
    );
  }
  renderShapeForm(view);
}

function renderShapeForm(view: CameraView): void {
  const { shapeForm } = view.parts;
  clear(shapeForm);
  const sh = view.selected;
  if (!sh) {
    shapeForm.append(h('p', { class: 'muted small' }, t('edit.selectHint')));
    return;
  }
  const del = h('button', { class: 'danger', id: 'delete-shape', onclick: () => deleteShape(view, sh) }, t('edit.deleteShape'));
  const delPoint = h('button', { class: 'secondary', id: 'delete-point', onclick: () => deletePoint(view) }, t('edit.deletePoint'));
  if (sh.kind === 'mask') shapeForm.append(h('div', { class: 'row' }, delPoint, del));
  else shapeForm.append(...zoneForm(view, sh, [delPoint, del]));
}

export function select(view: CameraView, sh: Shape | undefined): void {
  view.selected = sh;
  view.selectedPoint = undefined;
  renderShapes(view);
  draw(view);
}

/** A new zone (in pixels, with one parking rule) or mask (normalized), selected: clicks on the picture add its points. */
function addShape(view: CameraView, kind: 'zone' | 'mask'): void {
  const n = view.shapes.filter((s) => s.kind === 'zone').length + 1;
  const zone: FileZone | undefined =
    kind === 'zone' ? { id: `zone-${n}`, units: 'pixels', polygon: [], rules: [{ id: 'rule-1', type: 'illegal_parking' }] } : undefined;
  const sh: Shape = { kind, units: kind === 'zone' ? 'pixels' : 'normalized', pts: [], zone };
  view.shapes.push(sh);
  select(view, sh);
}

function deleteShape(view: CameraView, sh: Shape): void {
  view.shapes = view.shapes.filter((x) => x !== sh);
  view.selected = undefined;
  renderShapes(view);
  draw(view);
}

/** Removes the selected point of the shape (a line keeps its two ends). */
export function deletePoint(view: CameraView): void {
  const { selectedPoint } = view;
  if (!selectedPoint || selectedPoint.rule) return;
  selectedPoint.pts.splice(selectedPoint.i, 1);
  view.selectedPoint = undefined;
  draw(view);
}
