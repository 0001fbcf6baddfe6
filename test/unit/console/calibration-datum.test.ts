import { describe, expect, it } from 'vitest';
import { coordsIn, inWgs84, type Mark, typeCoord } from '../../../agent/src/console/client/calibration/datum.ts';
import { distanceMeters } from '../../../agent/src/geo/local-frame.ts';

/** A ground mark on the demo street (WGS-84), and the same place as a Chinese map app shows it (GCJ-02). */
const wgs = { lat: 31.2305533, lon: 121.4740779 };

describe('calibration coordinates typed in GCJ-02', () => {
  it('are converted to WGS-84 for the fit and the config, hundreds of metres from what was typed', () => {
    const shownGcj = coordsIn({ pixel: [720, 560], lat: String(wgs.lat), lon: String(wgs.lon) }, 'gcj02');
    const typed: Mark = { pixel: [720, 560], lat: '', lon: '' };
    typeCoord(typed, 'lat', shownGcj.lat, 'gcj02');
    typeCoord(typed, 'lon', shownGcj.lon, 'gcj02');
    const stored = inWgs84(typed);
    const geo = { lat: Number(stored.lat), lon: Number(stored.lon) };
    expect(distanceMeters(geo, wgs)).toBeLessThan(1);
    expect(distanceMeters({ lat: Number(shownGcj.lat), lon: Number(shownGcj.lon) }, wgs)).toBeGreaterThan(300);
  });

  it('keeps what was typed when the choice is switched back and forth, and a half-typed point as typed', () => {
    const m: Mark = { pixel: [0, 0], lat: '31.2305533', lon: '121.4740779' };
    expect(coordsIn(m, 'gcj02')).not.toEqual({ lat: m.lat, lon: m.lon });
    expect(coordsIn(m, 'wgs84')).toEqual({ lat: '31.2305533', lon: '121.4740779' });
    const half: Mark = { pixel: [0, 0], lat: '31.23', lon: '' };
    expect(coordsIn(half, 'gcj02')).toEqual({ lat: '31.23', lon: '' });
    // A coordinate typed in the other datum carries the one already there over first.
    typeCoord(m, 'lon', '121.4790000', 'gcj02');
    expect(m.datum).toBe('gcj02');
    expect(Math.abs(Number(m.lat) - 31.2305533)).toBeGreaterThan(1e-4);
  });
});
