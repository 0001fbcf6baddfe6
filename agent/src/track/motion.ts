import type { Box } from '../core/geometry.ts';

/**
 * Constant-velocity model of a box centre (an alpha-beta filter: a Kalman filter with fixed gains,
 * enough for boxes a detector already localises well). Time is in ms; the size follows the
 * measurements with the same smoothing but is not extrapolated.
 */
export interface Motion {
  cx: number;
  cy: number;
  w: number;
  h: number;
  /** Pixels per ms. */
  vx: number;
  vy: number;
  at: number;
  updates: number;
}

const ALPHA = 0.8;
const BETA = 0.3;

export function startMotion(box: Box, at: number): Motion {
  return { cx: (box.x1 + box.x2) / 2, cy: (box.y1 + box.y2) / 2, w: box.x2 - box.x1, h: box.y2 - box.y1, vx: 0, vy: 0, at, updates: 1 };
}

/** Where the box is expected at `at`. */
export function predictBox(m: Motion, at: number): Box {
  const dt = at - m.at;
  const cx = m.cx + m.vx * dt;
  const cy = m.cy + m.vy * dt;
  return { x1: cx - m.w / 2, y1: cy - m.h / 2, x2: cx + m.w / 2, y2: cy + m.h / 2 };
}

/** Folds a measured box into the model, in place. */
export function correctMotion(m: Motion, box: Box, at: number): void {
  const dt = at - m.at;
  const mx = (box.x1 + box.x2) / 2;
  const my = (box.y1 + box.y2) / 2;
  if (dt <= 0) {
    m.cx = mx;
    m.cy = my;
  } else if (m.updates === 1) {
    // Second sighting: the first velocity estimate is the plain difference.
    m.vx = (mx - m.cx) / dt;
    m.vy = (my - m.cy) / dt;
    m.cx = mx;
    m.cy = my;
  } else {
    const px = m.cx + m.vx * dt;
    const py = m.cy + m.vy * dt;
    const rx = mx - px;
    const ry = my - py;
    m.cx = px + ALPHA * rx;
    m.cy = py + ALPHA * ry;
    m.vx += (BETA * rx) / dt;
    m.vy += (BETA * ry) / dt;
  }
  m.w += ALPHA * (box.x2 - box.x1 - m.w);
  m.h += ALPHA * (box.y2 - box.y1 - m.h);
  m.at = at;
  m.updates++;
}
