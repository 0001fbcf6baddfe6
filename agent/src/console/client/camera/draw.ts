import { currentLang } from '../../../web/client/i18n.ts';
import { labelIn } from '../../../web/label-words.ts';
import type { LiveFacts } from '../../wire.ts';
import type { EditData } from '../edit-api.ts';
import { label, polygonPath } from '../stage.ts';
import { type CameraView, lineOf, type Shape } from './state.ts';

type Ctx = CanvasRenderingContext2D;

/** Redraws the overlay: masks, detection windows, zones and their lines, what the box saw, the selection's handles. */
export function draw(view: CameraView): void {
  const { stage, edit, layers, facts, selected } = view;
  if (!stage || !edit) return;
  const { ctx } = stage;
  const s = stage.scale();
  ctx.clearRect(0, 0, stage.width, stage.height);
  ctx.lineWidth = 2 * s;
  if (layers.has('masks')) drawMasks(ctx, view);
  if (layers.has('windows')) drawWindows(ctx, edit.windows, s);
  drawZones(ctx, view, s);
  if (facts && facts.seq !== null) drawFacts(ctx, view, facts, s);
  if (selected) drawHandles(ctx, view, selected, s);
}

function drawMasks(ctx: Ctx, view: CameraView): void {
  for (const m of view.shapes.filter((x) => x.kind === 'mask')) {
    polygonPath(ctx, m.pts);
    ctx.fillStyle = 'rgba(20,20,20,.55)';
    if (m.pts.length > 2) ctx.fill();
    ctx.strokeStyle = m === view.selected ? '#ffeb3b' : '#9e9e9e';
    ctx.stroke();
  }
}

function drawWindows(ctx: Ctx, windows: EditData['windows'], s: number): void {
  ctx.setLineDash([8 * s, 6 * s]);
  ctx.strokeStyle = '#80deea';
  for (const w of windows) ctx.strokeRect(w.x, w.y, w.width, w.height);
  ctx.setLineDash([]);
}

function drawZones(ctx: Ctx, view: CameraView, s: number): void {
  for (const z of view.shapes.filter((x) => x.kind === 'zone')) {
    const chosen = z === view.selected;
    if (view.layers.has('zones')) {
      polygonPath(ctx, z.pts);
      ctx.fillStyle = chosen ? 'rgba(255,235,59,.18)' : 'rgba(33,150,243,.12)';
      if (z.pts.length > 2) ctx.fill();
      ctx.strokeStyle = chosen ? '#ffeb3b' : '#2196f3';
      ctx.stroke();
      if (z.pts.length) label(ctx, z.zone!.id, z.pts[0][0], z.pts[0][1], chosen ? '#9a7d00' : '#1565c0', s);
    }
    if (!view.layers.has('lines')) continue;
    for (const r of z.zone!.rules) {
      const line = lineOf(view, z, r);
      if (!line) continue;
      polygonPath(ctx, line, false);
      ctx.strokeStyle = '#ff4081';
      ctx.lineWidth = 3 * s;
      ctx.stroke();
      ctx.lineWidth = 2 * s;
    }
  }
}

/** The latest frame's detections (white) and tracks (orange moving, green at rest, with how long). */
function drawFacts(ctx: Ctx, view: CameraView, facts: LiveFacts, s: number): void {
  if (view.layers.has('detections')) {
    ctx.strokeStyle = 'rgba(255,255,255,.8)';
    ctx.lineWidth = 1 * s;
    for (const d of facts.detections) ctx.strokeRect(d.box.x1, d.box.y1, d.box.x2 - d.box.x1, d.box.y2 - d.box.y1);
    ctx.lineWidth = 2 * s;
  }
  if (!view.layers.has('tracks')) return;
  for (const tr of facts.tracks) {
    ctx.strokeStyle = tr.moving ? '#ff9800' : '#4caf50';
    ctx.strokeRect(tr.box.x1, tr.box.y1, tr.box.x2 - tr.box.x1, tr.box.y2 - tr.box.y1);
    const text = `#${tr.id} ${labelIn(tr.label, currentLang())} ${tr.moving ? '→' : `${Math.round(tr.stationarySeconds)} s`}`;
    label(ctx, text, tr.box.x1, tr.box.y1, tr.moving ? '#e65100' : '#2e7d32', s);
  }
}

/** The selected shape's points and its lines' ends, the selected point in red. */
function drawHandles(ctx: Ctx, view: CameraView, selected: Shape, s: number): void {
  const handles = [selected.pts, ...(selected.zone?.rules.map((r) => lineOf(view, selected, r) ?? []) ?? [])];
  const { selectedPoint } = view;
  for (const pts of handles) {
    pts.forEach(([x, y], i) => {
      ctx.beginPath();
      ctx.arc(x, y, 6 * s, 0, Math.PI * 2);
      ctx.fillStyle = selectedPoint && !selectedPoint.rule && selectedPoint.pts === pts && selectedPoint.i === i ? '#f44336' : '#ffeb3b';
      ctx.fill();
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 1 * s;
      ctx.stroke();
    });
  }
}
