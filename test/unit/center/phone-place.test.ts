import { describe, expect, it } from 'vitest';
import { distanceM, fitWithin, navLinks, withinGeofence } from '../../../agent/src/center/phone/place.ts';
import { wgs84ToBd09, wgs84ToGcj02 } from '../../../agent/src/geo/gcj02.ts';

/** 人民广场, Shanghai (WGS-84). */
const spot = { lon: 121.4737, lat: 31.2304 };
/** A point `m` metres north of the spot (one degree of latitude is ~111.2 km). */
const north = (m: number) => ({ lon: spot.lon, lat: spot.lat + m / 111_195 });

describe('the officer against the spot (geofence)', () => {
  it('measures street distances in metres', () => {
    expect(distanceM(spot, north(100))).toBeCloseTo(100, 0);
    // Shanghai People's Square to the Bund (about 1.6 km east-north-east).
    expect(distanceM(spot, { lon: 121.4903, lat: 31.2397 })).toBeGreaterThan(1700);
    expect(distanceM(spot, { lon: 121.4903, lat: 31.2397 })).toBeLessThan(1900);
  });

  it('suggests "arrived" inside the fence and not outside it', () => {
    expect(withinGeofence({ ...north(40), accuracyM: 10 }, spot, 50)).toBe(true);
    expect(withinGeofence({ ...north(60), accuracyM: 10 }, spot, 50)).toBe(false);
    expect(withinGeofence(north(49), spot, 50)).toBe(true);
  });

  it('does not suggest "arrived" from a fix vaguer than the fence, even when its centre is on the spot', () => {
    expect(withinGeofence({ ...spot, accuracyM: 300 }, spot, 50)).toBe(false);
  });
});

describe('navigate links for the phone map apps', () => {
  const links = navLinks(spot, '南京东路 1 号');

  it('gives Amap the GCJ-02 point (a few hundred metres off WGS-84 in Shanghai)', () => {
    const [glon, glat] = wgs84ToGcj02(spot.lon, spot.lat);
    expect(links.amap).toContain(`to=${glon.toFixed(6)},${glat.toFixed(6)},`);
    expect(links.amap).toContain('coordinate=gaode');
    expect(distanceM(spot, { lon: glon, lat: glat })).toBeGreaterThan(300);
  });

  it('gives Baidu the BD-09 point and says so (coord_type=bd09ll), latitude first', () => {
    const [blon, blat] = wgs84ToBd09(spot.lon, spot.lat);
    expect(links.baidu).toContain(`latlng:${blat.toFixed(6)},${blon.toFixed(6)}`);
    expect(links.baidu).toContain('coord_type=bd09ll');
    const [glon, glat] = wgs84ToGcj02(spot.lon, spot.lat);
    expect(distanceM({ lon: glon, lat: glat }, { lon: blon, lat: blat })).toBeGreaterThan(300);
  });

  it('gives a geo: URI in WGS-84 with the place name encoded', () => {
    expect(links.geo.startsWith('geo:31.230400,121.473700?q=31.230400,121.473700(')).toBe(true);
    expect(links.geo).toContain(encodeURIComponent('南京东路 1 号'));
  });
});

describe('photo size before upload', () => {
  it('scales the longer side to 1600 px keeping the aspect, and never enlarges', () => {
    expect(fitWithin(4000, 3000, 1600)).toEqual({ width: 1600, height: 1200 });
    expect(fitWithin(3000, 4000, 1600)).toEqual({ width: 1200, height: 1600 });
    expect(fitWithin(800, 600, 1600)).toEqual({ width: 800, height: 600 });
  });
});
