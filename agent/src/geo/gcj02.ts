/**
 * WGS-84 ↔ GCJ-02 ↔ BD-09, the offset coordinate systems Chinese maps are drawn in (GCJ-02: a few hundred metres
 * off WGS-84 in cities; BD-09: Baidu's further offset of GCJ-02). Alerts, units and orders stay WGS-84 on the wire;
 * only what is drawn on such tiles, or handed to a phone's map app, is converted. Outside mainland China GCJ-02
 * equals WGS-84. The published polynomial approximation (accurate to about a metre). Pure.
 */
export type LonLat = [number, number];

const A = 6378245.0;
const EE = 0.006693421622965943;
/** Baidu's constant: π·3000/180. */
const X_PI = (Math.PI * 3000.0) / 180.0;

export function outOfChina(lon: number, lat: number): boolean {
  return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

function dLat(x: number, y: number): number {
  let r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  r += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0;
  r += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0;
  return r;
}

function dLon(x: number, y: number): number {
  let r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  r += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0;
  r += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0;
  return r;
}

/** [lon, lat] in WGS-84 → [lon, lat] in GCJ-02. */
export function wgs84ToGcj02(lon: number, lat: number): LonLat {
  if (outOfChina(lon, lat)) return [lon, lat];
  const radLat = (lat / 180.0) * Math.PI;
  let magic = Math.sin(radLat);
  magic = 1 - EE * magic * magic;
  const sqrtMagic = Math.sqrt(magic);
  const lat2 = lat + (dLat(lon - 105.0, lat - 35.0) * 180.0) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI);
  const lon2 = lon + (dLon(lon - 105.0, lat - 35.0) * 180.0) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI);
  return [lon2, lat2];
}

/**
 * [lon, lat] in GCJ-02 → WGS-84. The forward formula has no closed inverse; the offset changes slowly, so a few
 * fixed-point steps (each subtracting the offset found at the current guess) converge to well under a centimetre,
 * where the common one-step inverse is off by up to a metre or two.
 */
export function gcj02ToWgs84(lon: number, lat: number): LonLat {
  if (outOfChina(lon, lat)) return [lon, lat];
  let w: LonLat = [lon, lat];
  for (let i = 0; i < 10; i++) {
    const g = wgs84ToGcj02(w[0], w[1]);
    const eLon = g[0] - lon;
    const eLat = g[1] - lat;
    w = [w[0] - eLon, w[1] - eLat];
    if (Math.abs(eLon) < 1e-10 && Math.abs(eLat) < 1e-10) break;
  }
  return w;
}

/** [lon, lat] in GCJ-02 → BD-09 (Baidu Maps). */
export function gcj02ToBd09(lon: number, lat: number): LonLat {
  const z = Math.sqrt(lon * lon + lat * lat) + 0.00002 * Math.sin(lat * X_PI);
  const theta = Math.atan2(lat, lon) + 0.000003 * Math.cos(lon * X_PI);
  return [z * Math.cos(theta) + 0.0065, z * Math.sin(theta) + 0.006];
}

/** [lon, lat] in BD-09 → GCJ-02 (Baidu's own published inverse). */
export function bd09ToGcj02(lon: number, lat: number): LonLat {
  const x = lon - 0.0065;
  const y = lat - 0.006;
  const z = Math.sqrt(x * x + y * y) - 0.00002 * Math.sin(y * X_PI);
  const theta = Math.atan2(y, x) - 0.000003 * Math.cos(x * X_PI);
  return [z * Math.cos(theta), z * Math.sin(theta)];
}

export const wgs84ToBd09 = (lon: number, lat: number): LonLat => gcj02ToBd09(...wgs84ToGcj02(lon, lat));
export const bd09ToWgs84 = (lon: number, lat: number): LonLat => gcj02ToWgs84(...bd09ToGcj02(lon, lat));
