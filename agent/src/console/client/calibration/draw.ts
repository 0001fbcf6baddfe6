import { label } from '../stage.ts';
import type { CalibrationView } from './state.ts';

/** The marks, numbered: green with both coordinates, orange while one is missing. */
export function draw(view: CalibrationView): void {
  const { stage, marks, result } = view;
  if (!stage) return;
  const { ctx } = stage;
  const s = stage.scale();
  ctx.clearRect(0, 0, stage.width, stage.height);
  marks.forEach((m, i) => {
    const [x, y] = m.pixel;
    ctx.beginPath();
    ctx.arc(x, y, 7 * s, 0, Math.PI * 2);
    ctx.fillStyle = result.complete.includes(i) ? '#4caf50' : '#ff9800';
    ctx.fill();
    ctx.strokeStyle = '#000';
    ctx.lineWidth = s;
    ctx.stroke();
    label(ctx, String(i + 1), x + 8 * s, y - 4 * s, '#263238', s);
  });
}
