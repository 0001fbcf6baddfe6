import { type Point, pointInPolygon } from '../../../core/geometry.ts';
import type { Stage } from '../stage.ts';
import { fromPx } from '../units.ts';
import { draw } from './draw.ts';
import { deletePoint, select } from './editor.ts';
import { insertionIndex } from './points.ts';
import { type CameraView, type Handle, lineOf } from './state.ts';

/**
 * Editing on the picture: a click selects a shape or adds a point after its last one (into an edge when it lands on
 * one), a drag moves a point or a line's end, Delete removes the selected point, Escape leaves the shape.
 */
export function attachPointer(view: CameraView, st: Stage): void {
  if (!view.canEdit) return;
  // A drag ends with a click on the canvas: it must not add a point too.
  const gesture = { moved: false };
  st.canvas.addEventListener('pointerdown', (ev) => {
    const hit = handleAt(view, st.toFrame(ev));
    gesture.moved = false;
    if (hit) {
      view.selectedPoint = hit;
      view.drag = hit;
      draw(view);
      ev.preventDefault();
    }
  });
  st.canvas.addEventListener('pointermove', (ev) => {
    if (!view.drag || !view.selected) return;
    gesture.moved = true;
    dragTo(view, st, st.toFrame(ev));
  });
  window.addEventListener('pointerup', () => (view.drag = undefined));
  st.canvas.addEventListener('click', (ev) => {
    if (!gesture.moved) clickAt(view, st.toFrame(ev));
  });
  window.addEventListener('keydown', (ev) => {
    if (
      (ev.key === 'Delete' || ev.key === 'Backspace') &&
      !(ev.target instanceof HTMLInputElement) &&
      !(ev.target instanceof HTMLTextAreaElement)
    )
      deletePoint(view);
    if (ev.key === 'Escape') select(view, undefined);
  });
}

/** The nearest handle of the selected shape within 10 screen pixels. */
function handleAt(view: CameraView, p: Point): Handle | undefined {
  const { selected, stage } = view;
  if (!selected || !stage) return undefined;
  const r = 10 * stage.scale();
  const lists: { pts: Point[]; rule?: Handle['rule'] }[] = [
    { pts: selected.pts },
    ...(selected.zone?.rules.flatMap((rule) => (lineOf(view, selected, rule) ? [{ pts: lineOf(view, selected, rule)!, rule }] : [])) ?? []),
  ];
  for (const l of lists) {
    const i = l.pts.findIndex(([x, y]) => Math.hypot(x - p[0], y - p[1]) <= r);
    if (i >= 0) return { pts: l.pts, i, rule: l.rule };
  }
  return undefined;
}

/** Moves the dragged point: a shape's in whole pixels, a line's end written back in the zone's units. */
function dragTo(view: CameraView, st: Stage, p: Point): void {
  const drag = view.drag!;
  const rule = view.selectedPoint?.rule;
  if (rule) {
    const line = (rule.line as Point[]).slice();
    line[drag.i] = fromPx(p, view.selected!.units, st.width, st.height);
    rule.line = line;
  } else drag.pts[drag.i] = [Math.round(p[0]), Math.round(p[1])];
  draw(view);
}

/** With nothing selected, selects the topmost shape under the click; else adds a point to the selected shape. */
function clickAt(view: CameraView, p: Point): void {
  if (handleAt(view, p)) return;
  const { selected } = view;
  if (!selected) {
    const hitShape = [...view.shapes].reverse().find((s) => s.pts.length > 2 && pointInPolygon(p, s.pts));
    if (hitShape) select(view, hitShape);
    return;
  }
  const at = insertionIndex(selected.pts, p, 10 * view.stage!.scale());
  selected.pts.splice(at, 0, [Math.round(p[0]), Math.round(p[1])]);
  view.selectedPoint = { pts: selected.pts, i: at };
  draw(view);
}
