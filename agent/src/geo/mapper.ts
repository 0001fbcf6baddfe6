import type { LatLon, Point } from '../core/geometry.ts';
import type { CalibrationConfig } from './config.ts';
import {
  CalibrationError,
  type Correspondence,
  type HomographyFit,
  leaveOneOutMaxMeters,
  pixelToGeo,
  solveHomography,
} from './homography.ts';

/** A camera's calibration, ready to place points of its analysed frame on the map. */
export interface GeoMapper {
  /** Ground position of a point in analysis-frame pixels; undefined at or above the horizon. */
  toGeo(pixel: Point): LatLon | undefined;
  fit: HomographyFit;
}

export function createGeoMapper(calibration: CalibrationConfig, frame: { width: number; height: number }): GeoMapper {
  const fit = solveHomography(correspondences(calibration));
  const scale: Point = calibration.units === 'normalized' ? [1 / frame.width, 1 / frame.height] : [1, 1];
  return { fit, toGeo: ([x, y]) => pixelToGeo(fit.homography, [x * scale[0], y * scale[1]]) };
}

export type CalibrationReport =
  | {
      ok: true;
      points: number;
      /** Fit residuals at the surveyed points. With exactly 4 points the fit is exact and these are 0. */
      rmsMeters: number;
      maxMeters: number;
      /** With ≥ 5 points: the largest error predicting each point from the others, an honest estimate of the error elsewhere. */
      leaveOneOutMaxMeters?: number;
    }
  | { ok: false; error: string };

/** What `check-config` prints for a camera's calibration; undefined when the camera has none. */
export function calibrationReport(camera: { calibration?: CalibrationConfig }): CalibrationReport | undefined {
  if (!camera.calibration) return undefined;
  const points = correspondences(camera.calibration);
  try {
    const fit = solveHomography(points);
    return {
      ok: true,
      points: points.length,
      rmsMeters: fit.rmsMeters,
      maxMeters: fit.maxMeters,
      leaveOneOutMaxMeters: leaveOneOutMaxMeters(points),
    };
  } catch (err) {
    if (err instanceof CalibrationError) return { ok: false, error: err.message };
    throw err;
  }
}

function correspondences(c: CalibrationConfig): Correspondence[] {
  return c.points.map((p) => ({ pixel: p.pixel, geo: p.geo }));
}
