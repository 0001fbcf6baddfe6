import type { Box } from '../core/geometry.ts';

export interface FrameGeometry {
  width: number;
  height: number;
  /** How the analysis frame was fitted from the stream (see the camera's analysis.resize). */
  resize?: 'stretch' | 'letterbox';
}

/**
 * Scale factors from analysis-frame pixels to a target image of the same view (the evidence
 * stream, or the analysis frame itself). A letterboxed analysis frame kept the aspect ratio with
 * the picture top-left, so both axes share the factor of the axis that filled the frame.
 */
export function frameScale(analysis: FrameGeometry, target: { width: number; height: number }): { sx: number; sy: number } {
  if (analysis.resize === 'letterbox') {
    const s = Math.max(target.width / analysis.width, target.height / analysis.height);
    return { sx: s, sy: s };
  }
  return { sx: target.width / analysis.width, sy: target.height / analysis.height };
}

export function scaleBox(box: Box, s: { sx: number; sy: number }): Box {
  return { x1: box.x1 * s.sx, y1: box.y1 * s.sy, x2: box.x2 * s.sx, y2: box.y2 * s.sy };
}
