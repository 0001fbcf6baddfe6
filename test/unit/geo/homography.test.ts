import { describe, expect, it } from 'vitest';
import { cameraSchema } from '../../../agent/src/config/schema.ts';
import type { LatLon, Point } from '../../../agent/src/core/geometry.ts';
import { calibrationSchema } from '../../../agent/src/geo/config.ts';
import { CalibrationError, type Correspondence, pixelToGeo, solveHomography } from '../../../agent/src/geo/homography.ts';
import { calibrationReport, createGeoMapper } from '../../../agent/src/geo/mapper.ts';
import { seeded } from '../track/scene.ts';

/**
 * A synthetic street camera: 8 m up a pole, looking north and 35° down, focal length 900 px on a
 * 1280×720 image. Ground points are metres east/north of the pole; lat/lon use the WGS84
 * metres-per-degree series, independent of the code under test.
 */
const ORIGIN = { lat: 31.2304, lon: 121.4737 };
const PHI = (ORIGIN.lat * Math.PI) / 180;
const M_PER_DEG_LAT = 111132.92 - 559.82 * Math.cos(2 * PHI) + 1.175 * Math.cos(4 * PHI);
const M_PER_DEG_LON = 111412.84 * Math.cos(PHI) - 93.5 * Math.cos(3 * PHI);

const toGeo = ([e, n]: Point): LatLon => ({ lat: ORIGIN.lat + n / M_PER_DEG_LAT, lon: ORIGIN.lon + e / M_PER_DEG_LON });
const toMetres = (g: LatLon): Point => [(g.lon - ORIGIN.lon) * M_PER_DEG_LON, (g.lat - ORIGIN.lat) * M_PER_DEG_LAT];

function toPixel([e, n]: Point): Point {
  const h = 8;
  const p = (35 * Math.PI) / 180;
  const f = 900;
  const zc = n * Math.cos(p) + h * Math.sin(p);
  const yc = -n * Math.sin(p) + h * Math.cos(p);
  return [640 + (f * e) / zc, 360 + (f * yc) / zc];
}

const survey = (ground: Point[], noise = 0, seed = 1): Correspondence[] => {
  const rnd = seeded(seed);
  return ground.map((g) => {
    const [u, v] = toPixel(g);
    return { pixel: [u + (rnd() * 2 - 1) * noise, v + (rnd() * 2 - 1) * noise], geo: toGeo(g) };
  });
};

const errorMetres = (mapped: LatLon | undefined, truth: Point) => {
  expect(mapped).toBeDefined();
  const [e, n] = toMetres(mapped!);
  return Math.hypot(e - truth[0], n - truth[1]);
};

/** A grid over the street the camera sees, 6–30 m out and ±8 m across. */
const grid: Point[] = [];
for (let n = 6; n <= 30; n += 3) for (let e = -8; e <= 8; e += 2) grid.push([e, n]);

describe('solveHomography', () => {
  it('recovers a known mapping from 4 exact points to within centimetres everywhere in view', () => {
    const fit = solveHomography(
      survey([
        [-6, 8],
        [6, 8],
        [7, 28],
        [-7, 28],
      ]),
    );
    const worst = Math.max(...grid.map((g) => errorMetres(pixelToGeo(fit.homography, toPixel(g)), g)));
    expect(worst).toBeLessThan(0.05);
    expect(fit.maxMeters).toBeLessThan(0.01);
  });

  it('stays within 0.5 m with 8 surveyed points clicked to ±1 px', () => {
    const fit = solveHomography(
      survey(
        [
          [-8, 6],
          [0, 7],
          [8, 6],
          [-8, 15],
          [8, 16],
          [-8, 28],
          [0, 30],
          [8, 27],
        ],
        1,
        42,
      ),
    );
    const worst = Math.max(...grid.map((g) => errorMetres(pixelToGeo(fit.homography, toPixel(g)), g)));
    expect(worst).toBeLessThan(0.5);
    expect(fit.rmsMeters).toBeGreaterThan(0);
    expect(fit.rmsMeters).toBeLessThan(0.5);
  });

  it('maps nothing at or above the horizon', () => {
    const fit = solveHomography(
      survey([
        [-6, 8],
        [6, 8],
        [7, 28],
        [-7, 28],
      ]),
    );
    // The horizon of a camera pitched 35° down lies f·tan(35°) ≈ 630 px above the image centre.
    expect(pixelToGeo(fit.homography, [640, 360 - 700])).toBeUndefined();
    expect(pixelToGeo(fit.homography, [640, 700])).toBeDefined();
  });

  it('rejects degenerate point sets with a clear error', () => {
    const line: Point[] = [
      [0, 6],
      [0, 10],
      [0, 14],
      [0, 18],
      [0, 22],
    ];
    expect(() => solveHomography(survey(line))).toThrow(/lie on one line/);
    expect(() =>
      solveHomography(
        survey([
          [-6, 8],
          [0, 8],
          [6, 8],
          [0, 20],
        ]),
      ),
    ).toThrow(/points\[0\], points\[1\] and points\[2\] lie on one line/);
    expect(() =>
      solveHomography(
        survey([
          [-6, 8],
          [6, 8],
          [6, 8],
          [-7, 28],
        ]),
      ),
    ).toThrow(/points\[1\] and points\[2\] have the same ground position/);
    expect(() =>
      solveHomography(
        survey([
          [-6, 8],
          [6, 8],
          [7, 28],
        ]),
      ),
    ).toThrow(/at least 4/);
    expect(() =>
      solveHomography(
        survey([
          [-6, 8],
          [6, 8],
          [7, 28],
          [-7, 28],
        ]).map((c) => ({ ...c, pixel: [0, 0] as Point })),
      ),
    ).toThrow(CalibrationError);
  });

  it('rejects 4 pairs that no camera could produce (two ground points swapped)', () => {
    const pts = survey([
      [-6, 8],
      [6, 8],
      [7, 28],
      [-7, 28],
    ]);
    const crossed = pts.map((c, i) => ({ ...c, geo: pts[i === 2 ? 3 : i === 3 ? 2 : i].geo }));
    expect(() => solveHomography(crossed)).toThrow(/beyond the horizon.*mismatched pairs/);
  });

  it('reports a large error for mismatched pairs among many', () => {
    const pts = survey([
      [-8, 6],
      [0, 7],
      [8, 6],
      [-8, 15],
      [8, 16],
      [-8, 28],
      [0, 30],
      [8, 27],
    ]);
    const mixed = pts.map((c, i) => ({ ...c, geo: pts[i === 1 ? 4 : i === 4 ? 1 : i].geo }));
    expect(solveHomography(mixed).maxMeters).toBeGreaterThan(2);
  });
});

describe('createGeoMapper and calibrationReport', () => {
  const pts = survey([
    [-6, 8],
    [0, 7],
    [6, 8],
    [-8, 15],
    [8, 16],
    [-8, 28],
    [0, 30],
    [8, 27],
  ]);
  const cam = (points: Correspondence[] | undefined) =>
    cameraSchema.parse({
      id: 'cam1',
      url: 'rtsp://127.0.0.1/cam1',
      analysis: { fps: 5, width: 640, height: 360 },
      ...(points && {
        calibration: { units: 'normalized', points: points.map((p) => ({ pixel: [p.pixel[0] / 1280, p.pixel[1] / 720], geo: p.geo })) },
      }),
    });

  it('maps analysis-frame pixels through a calibration given in normalised units', () => {
    const mapper = createGeoMapper(cam(pts).calibration!, { width: 640, height: 360 });
    const g: Point = [3, 12];
    const [u, v] = toPixel(g);
    expect(errorMetres(mapper.toGeo([u / 2, v / 2]), g)).toBeLessThan(0.05);
  });

  it('reports the reprojection error in metres, or the reason a calibration is unusable', () => {
    const good = calibrationReport(
      cam(
        survey(
          [
            [-6, 8],
            [0, 7],
            [6, 8],
            [-8, 15],
            [8, 16],
            [-8, 28],
            [0, 30],
            [8, 27],
          ],
          1,
          7,
        ),
      ),
    );
    expect(good).toMatchObject({ ok: true, points: 8 });
    if (!good?.ok) throw new Error('expected a usable calibration');
    expect(good.rmsMeters).toBeGreaterThan(0);
    expect(good.maxMeters).toBeLessThan(0.5);
    expect(good.leaveOneOutMaxMeters).toBeGreaterThan(good.maxMeters);
    // The config schema already refuses such a set; a camera built without it still gets a reason, not a crash.
    const line = {
      units: 'pixels' as const,
      points: survey([
        [0, 6],
        [0, 10],
        [0, 14],
        [0, 18],
      ]),
    };
    expect(calibrationReport({ ...cam(undefined), calibration: line })).toEqual({ ok: false, error: expect.stringMatching(/on one line/) });
    expect(calibrationReport(cam(undefined))).toBeUndefined();
  });

  it('a survey of 1000 points is checked and reported (the collinearity check was cubic in memory and ran out of heap)', {
    timeout: 120_000,
  }, () => {
    const rnd = seeded(5);
    // A jittered 40 × 25 grid of surveyed spots from 8 to 32 m ahead, all in view.
    const ground: Point[] = Array.from({ length: 1000 }, (_, i) => [
      -6 + (i % 40) * (12 / 39) + (rnd() - 0.5) * 0.1,
      8 + Math.floor(i / 40) + (rnd() - 0.5) * 0.1,
    ]);
    const big = cam(survey(ground, 1, 9));
    const r = calibrationReport(big);
    expect(r).toMatchObject({ ok: true, points: 1000 });
    if (!r?.ok) throw new Error('expected a usable calibration');
    expect(r.maxMeters).toBeLessThan(1);
    expect(r.leaveOneOutMaxMeters).toBeGreaterThanOrEqual(r.maxMeters * 0.99);
    // A long survey line is still refused as a line, and a repeated point is still found among many.
    const line = Array.from({ length: 1000 }, (_, i) => ({ pixel: [i * 0.6, 300] as Point, geo: toGeo([i * 0.1, 10]) }));
    expect(calibrationSchema.safeParse({ units: 'pixels', points: line }).error?.issues[0].message).toMatch(/lie on one line/);
    const twice = survey(ground);
    twice[700] = { ...twice[123] };
    expect(() => solveHomography(twice)).toThrow(/points\[123\] and points\[700\] have the same ground position/);
  });

  it('a config with a degenerate or out-of-range calibration does not load, naming the points', () => {
    const parse = (calibration: unknown) => calibrationSchema.safeParse(calibration);
    const onALine = parse({ units: 'pixels', points: [0, 1, 2, 3].map((i) => ({ pixel: [100 + i * 50, 400], geo: toGeo([i * 2, 10]) })) });
    expect(onALine.success).toBe(false);
    expect(onALine.error?.issues).toEqual([
      expect.objectContaining({ path: ['points'], message: expect.stringMatching(/lie on one line/) }),
    ]);
    const outside = parse({
      units: 'normalized',
      points: [
        [0, 0],
        [1, 0],
        [1, 1.5],
        [0, 1],
      ].map((pixel, i) => ({ pixel, geo: toGeo([i % 2 ? 8 : -8, i < 2 ? 30 : 6]) })),
    });
    expect(outside.error?.issues).toContainEqual(
      expect.objectContaining({ path: ['points', 2, 'pixel'], message: expect.stringMatching(/inside 0\.\.1/) }),
    );
  });
});
