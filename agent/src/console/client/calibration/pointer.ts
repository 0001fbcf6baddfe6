import type { LatLon, Point } from '../../../core/geometry.ts';
import { pixelToGeo } from '../../../geo/homography.ts';
import { t } from '../dom.ts';
import type { Stage } from '../stage.ts';
import { coordsIn } from './datum.ts';
import type { CalibrationView } from './state.ts';
import { recompute, renderRows } from './table.ts';

/** A click on the picture marks a point (its latitude input focused), a drag moves one; hovering shows where it is. */
export function attachPointer(view: CalibrationView, st: Stage): void {
  // A drag ends with a click on the canvas: it must not mark a point too.
  let moved = false;
  const hit = (p: Point) => view.marks.findIndex((m) => Math.hypot(m.pixel[0] - p[0], m.pixel[1] - p[1]) <= 10 * st.scale());
  st.canvas.addEventListener('pointerdown', (ev) => {
    moved = false;
    const i = hit(st.toFrame(ev));
    if (i >= 0) view.drag = i;
  });
  st.canvas.addEventListener('pointermove', (ev) => {
    const p = st.toFrame(ev);
    if (view.drag !== undefined) {
      moved = true;
      view.marks[view.drag].pixel = [Math.round(p[0]), Math.round(p[1])];
      recompute(view);
    }
    showHover(view, p);
  });
  window.addEventListener('pointerup', () => (view.drag = undefined));
  st.canvas.addEventListener('click', (ev) => {
    if (moved) return;
    const p = st.toFrame(ev);
    if (hit(p) >= 0) return;
    view.marks.push({ pixel: [Math.round(p[0]), Math.round(p[1])], lat: '', lon: '' });
    renderRows(view);
    view.parts.rows.querySelectorAll<HTMLInputElement>('input.lat')[view.marks.length - 1]?.focus();
  });
}

/** The latitude and longitude under the pointer, once there is a fit. */
function showHover(view: CalibrationView, p: Point): void {
  const { fit } = view.result;
  const g: LatLon | undefined = fit ? pixelToGeo(fit.homography, p) : undefined;
  if (!fit) view.parts.hover.textContent = '';
  else if (!g) view.parts.hover.textContent = t('calib.horizon');
  else {
    const shown = coordsIn({ pixel: p, lat: String(g.lat), lon: String(g.lon) }, view.datum);
    const digits = (v: string) => Number(v).toFixed(7);
    view.parts.hover.textContent = t(view.datum === 'gcj02' ? 'calib.hoverGcj' : 'calib.hover', {
      lat: digits(shown.lat),
      lon: digits(shown.lon),
    });
  }
}
