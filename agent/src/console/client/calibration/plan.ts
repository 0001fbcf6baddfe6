import type { LatLon } from '../../../core/geometry.ts';
import { pixelToGeo } from '../../../geo/homography.ts';
import { localFrame } from '../../../geo/local-frame.ts';
import { clear, h, svg } from '../../../web/client/dom.ts';
import { t } from '../dom.ts';
import { inWgs84 } from './datum.ts';
import type { CalibrationView } from './state.ts';

const W = 320;
const H = 240;
const PAD = 24;

/**
 * The calibration points seen from above (north up, true to scale, without the basemap's clutter): each
 * surveyed point, numbered as in the table, and where the fit puts its pixel, joined by a line as long as its error.
 * Points typed on the wrong side of the street, or swapped, stand out at a glance.
 */
export function drawPlan(view: CalibrationView): void {
  const { plan } = view.parts;
  clear(plan);
  const marks = view.marks.map(inWgs84);
  const surveyed = view.result.complete.map((i) => ({
    n: i + 1,
    geo: { lat: Number(marks[i].lat), lon: Number(marks[i].lon) },
    pixel: marks[i].pixel,
  }));
  if (surveyed.length === 0) {
    plan.append(h('p', { class: 'muted small' }, t('calib.planEmpty')));
    return;
  }
  const origin = {
    lat: surveyed.reduce((s, p) => s + p.geo.lat, 0) / surveyed.length,
    lon: surveyed.reduce((s, p) => s + p.geo.lon, 0) / surveyed.length,
  };
  const frame = localFrame(origin);
  const { fit } = view.result;
  const placed = surveyed.map((p) => {
    const predicted: LatLon | undefined = fit ? pixelToGeo(fit.homography, p.pixel) : undefined;
    return { n: p.n, at: frame.toLocal(p.geo), fitted: predicted ? frame.toLocal(predicted) : undefined };
  });
  const all = placed.flatMap((p) => (p.fitted ? [p.at, p.fitted] : [p.at]));
  const span = Math.max(10, ...all.map(([e, n]) => Math.max(Math.abs(e), Math.abs(n))));
  const k = Math.min(W / 2 - PAD, H / 2 - PAD) / span;
  const x = (e: number) => W / 2 + e * k;
  const y = (n: number) => H / 2 - n * k;
  const el = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'plan', role: 'img', 'aria-label': t('calib.plan') });
  for (const p of placed) {
    if (p.fitted) el.append(svg('line', { x1: x(p.at[0]), y1: y(p.at[1]), x2: x(p.fitted[0]), y2: y(p.fitted[1]), class: 'residual' }));
    if (p.fitted) el.append(svg('path', { d: cross(x(p.fitted[0]), y(p.fitted[1])), class: 'fitted' }));
    el.append(svg('circle', { cx: x(p.at[0]), cy: y(p.at[1]), r: 5, class: 'surveyed', 'data-point': p.n }));
    const label = svg('text', { x: x(p.at[0]) + 7, y: y(p.at[1]) - 6 });
    label.textContent = String(p.n);
    el.append(label);
  }
  el.append(...scaleBar(k), ...northArrow());
  plan.append(el, h('p', { class: 'muted small' }, t('calib.planLegend')));
}

const cross = (cx: number, cy: number) => `M${cx - 4},${cy - 4}L${cx + 4},${cy + 4}M${cx - 4},${cy + 4}L${cx + 4},${cy - 4}`;

/** A bar of a round number of metres, about a quarter of the plan wide. */
function scaleBar(k: number): SVGElement[] {
  const want = W / 4 / k;
  const step = [1, 2, 5].flatMap((m) => [1, 10, 100, 1000].map((p) => m * p)).filter((m) => m <= want);
  const metres = step.length ? Math.max(...step) : 1;
  const len = metres * k;
  const text = svg('text', { x: 10, y: H - 14 });
  text.textContent = `${metres} ${t('calib.metres')}`;
  return [svg('path', { d: `M10,${H - 8}h${len}`, class: 'scale' }), text];
}

function northArrow(): SVGElement[] {
  const text = svg('text', { x: W - 22, y: 18 });
  text.textContent = t('calib.north');
  return [svg('path', { d: `M${W - 14},40V24l-4,6M${W - 14},24l4,6`, class: 'scale' }), text];
}
