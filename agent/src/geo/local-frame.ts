import type { LatLon } from '../core/geometry.ts';

/** Mean Earth radius (IUGG), metres. */
const EARTH_RADIUS = 6_371_008.8;
const RAD = Math.PI / 180;

/**
 * A flat east/north frame in metres around `origin` (equirectangular). Over the few hundred metres
 * a street camera sees, its distortion stays below a millimetre per metre.
 */
export interface LocalFrame {
  origin: LatLon;
  toLocal(p: LatLon): [east: number, north: number];
  toGeo(east: number, north: number): LatLon;
}

export function localFrame(origin: LatLon): LocalFrame {
  const kNorth = EARTH_RADIUS * RAD;
  const kEast = kNorth * Math.cos(origin.lat * RAD);
  return {
    origin,
    toLocal: (p) => [(p.lon - origin.lon) * kEast, (p.lat - origin.lat) * kNorth],
    toGeo: (east, north) => ({ lat: origin.lat + north / kNorth, lon: origin.lon + east / kEast }),
  };
}

/** Great-circle distance in metres (haversine). */
export function distanceMeters(a: LatLon, b: LatLon): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS * Math.asin(Math.min(1, Math.sqrt(h)));
}
