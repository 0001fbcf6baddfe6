import { CalibrationError, type HomographyFit, pixelToGeo, solveHomography } from '../../../geo/homography.ts';
import { distanceMeters } from '../../../geo/local-frame.ts';
import { inWgs84, type Mark } from './datum.ts';

export interface MarksFit {
  fit?: HomographyFit;
  error?: string;
  /** Indexes of the marks with both coordinates. */
  complete: number[];
  /** Per complete mark, its error when predicted from the others (≥ 5 points). */
  loo: (number | undefined)[];
}

/** Fit with all complete points, residual per point, and each point predicted from the others (≥ 5 points). */
export function fitMarks(typed: Mark[]): MarksFit {
  const marks = typed.map(inWgs84);
  const complete = marks.flatMap((m, i) =>
    m.lat !== '' && m.lon !== '' && Number.isFinite(Number(m.lat)) && Number.isFinite(Number(m.lon)) ? [i] : [],
  );
  const pts = complete.map((i) => ({ pixel: marks[i].pixel, geo: { lat: Number(marks[i].lat), lon: Number(marks[i].lon) } }));
  if (pts.length < 4) return { complete, loo: [] };
  try {
    const fit = solveHomography(pts);
    const loo = pts.map((held, k) => {
      if (pts.length < 5) return undefined;
      try {
        const p = pixelToGeo(solveHomography(pts.filter((_, j) => j !== k)).homography, held.pixel);
        return p ? distanceMeters(p, held.geo) : Infinity;
      } catch (err) {
        if (err instanceof CalibrationError) return undefined;
        throw err;
      }
    });
    return { fit, complete, loo };
  } catch (err) {
    if (err instanceof CalibrationError) return { error: err.message, complete, loo: [] };
    throw err;
  }
}

/** Metres with two decimals; a point predicted above the horizon by the others has no finite error: shown as ∞. */
export const metres = (m: number) => (Number.isFinite(m) ? m.toFixed(2) : '∞');
