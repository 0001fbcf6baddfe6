import type { Point } from '../../../core/geometry.ts';
import { gcj02ToWgs84, wgs84ToGcj02 } from '../../../geo/gcj02.ts';

/**
 * The datum coordinates are typed in. The config stores WGS-84 (GPS, 天地图); coordinates copied from a Chinese map
 * app (高德, 腾讯) are GCJ-02, a few hundred metres off in cities, and are converted. A mark keeps what was typed and
 * the datum it was typed in, so switching the choice back and forth changes no stored digit.
 */
export type Datum = 'wgs84' | 'gcj02';

/** A point marked on the picture, with the latitude and longitude typed for it (as typed: maybe empty). */
export interface Mark {
  pixel: Point;
  lat: string;
  lon: string;
  /** The datum `lat` and `lon` were typed in; absent: WGS-84, as the config stores them. */
  datum?: Datum;
}

const complete = (m: Mark) => m.lat !== '' && m.lon !== '' && Number.isFinite(Number(m.lat)) && Number.isFinite(Number(m.lon));

/** A mark's coordinates in `datum`, as text: what was typed when it is the datum typed in, else converted. */
export function coordsIn(m: Mark, datum: Datum): { lat: string; lon: string } {
  const from = m.datum ?? 'wgs84';
  if (from === datum || !complete(m)) return { lat: m.lat, lon: m.lon };
  const [lon, lat] = datum === 'wgs84' ? gcj02ToWgs84(Number(m.lon), Number(m.lat)) : wgs84ToGcj02(Number(m.lon), Number(m.lat));
  return { lat: lat.toFixed(7), lon: lon.toFixed(7) };
}

/** The mark as the fit and the config take it: WGS-84. */
export const inWgs84 = (m: Mark): Mark => ({ ...m, ...coordsIn(m, 'wgs84'), datum: 'wgs84' });

/** Writes one typed coordinate; the other is first carried over into the datum now chosen. */
export function typeCoord(m: Mark, key: 'lat' | 'lon', value: string, datum: Datum): void {
  if ((m.datum ?? 'wgs84') !== datum) Object.assign(m, coordsIn(m, datum), { datum });
  m[key] = value;
}
