import { wgs84ToBd09, wgs84ToGcj02 } from '../../geo/gcj02.ts';

/* Where the officer is against where the task is, and the links that hand the spot to a phone's map app. Pure. */

const EARTH_RADIUS_M = 6_371_008.8;
const rad = (deg: number) => (deg * Math.PI) / 180;

export interface Point {
  lon: number;
  lat: number;
}

/** "85 m", "1.2 km". */
export const fmtDistance = (m: number): string => (m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(1)} km`);

/** Great-circle distance in metres (haversine: exact enough at street scale, and cheap). */
export function distanceM(a: Point, b: Point): number {
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Whether "arrived" is suggested: the phone's fix lies within `radiusM` of the spot. A fix vaguer than the fence
 * itself (a phone indoors reporting ±300 m) proves nothing either way, so it does not suggest arrival.
 */
export function withinGeofence(fix: Point & { accuracyM?: number }, spot: Point, radiusM: number): boolean {
  if (fix.accuracyM !== undefined && fix.accuracyM > radiusM) return false;
  return distanceM(fix, spot) <= radiusM;
}

export interface NavLinks {
  /** Amap (高德) draws and routes in GCJ-02: the spot converted, `coordinate=gaode`. */
  amap: string;
  /** Baidu (百度) draws in its own BD-09 (GCJ-02 shifted once more): the spot converted, `coord_type=bd09ll`. */
  baidu: string;
  /** RFC 5870 `geo:` in WGS-84, for any other map app (Android's chooser; Apple Maps opens maps:). */
  geo: string;
}

const fixed = (n: number) => n.toFixed(6);

/** The links of the "navigate" buttons for a spot in WGS-84 (as every coordinate on the wire is). */
export function navLinks(spot: Point, name: string): NavLinks {
  const [glon, glat] = wgs84ToGcj02(spot.lon, spot.lat);
  const [blon, blat] = wgs84ToBd09(spot.lon, spot.lat);
  const label = encodeURIComponent(name);
  return {
    amap: `https://uri.amap.com/navigation?to=${fixed(glon)},${fixed(glat)},${label}&mode=walk&coordinate=gaode&callnative=1`,
    baidu: `baidumap://map/direction?destination=latlng:${fixed(blat)},${fixed(blon)}|name:${label}&coord_type=bd09ll&mode=walking`,
    geo: `geo:${fixed(spot.lat)},${fixed(spot.lon)}?q=${fixed(spot.lat)},${fixed(spot.lon)}(${label})`,
  };
}

/** The size a photo is scaled to before upload: its longer side at most `max` pixels, never enlarged. */
export function fitWithin(width: number, height: number, max: number): { width: number; height: number } {
  const scale = Math.min(1, max / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
