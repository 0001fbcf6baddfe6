import type { FeatureCollection, Polygon } from 'geojson';
import type { GeoJSONSource } from 'maplibre-gl';
import { pixelToGeo } from '../../../geo/homography.ts';
import { type CenterMap, createMap, fitTo, type LonLat, mapOrNotice } from '../../../web/client/map/basemap.ts';
import { pointLayer } from '../../../web/client/map/markers.ts';
import { t } from '../dom.ts';
import { toPx } from '../units.ts';
import { inWgs84 } from './datum.ts';
import type { CalibrationMap, CalibrationView } from './state.ts';

/*
 * The calibration on a real map, loaded as its own chunk when the calibration page opens: the box's basemap (its tile
 * file, the city's tile server or plain paper), each surveyed point numbered as in the table, and the camera's zones
 * projected onto the ground through the fit, so that a point typed on the wrong side of the street, or a zone that
 * lands on the shops, shows at a glance. A click on the map gives the point being picked its latitude and longitude.
 */

const ZONES = 'calib-zones';

/** The map in `el`, or null when the browser cannot draw one (no WebGL2: `el` then says so). */
export async function mountCalibrationMap(
  el: HTMLElement,
  view: CalibrationView,
  picked: (lon: number, lat: number) => void,
): Promise<CalibrationMap | null> {
  if (!mapOrNotice(el)) return null;
  const cm = await createMap(el);
  await cm.ready;
  frame(cm, surveyed(view));
  cm.gl.addSource(ZONES, { type: 'geojson', data: zonesOnGround(cm, view) });
  cm.gl.addLayer({ id: ZONES, type: 'fill', source: ZONES, paint: { 'fill-color': '#1e88e5', 'fill-opacity': 0.25 } });
  cm.gl.addLayer({ id: `${ZONES}-edge`, type: 'line', source: ZONES, paint: { 'line-color': '#1565c0', 'line-width': 2 } });
  const points = pointLayer(cm, 'calib');
  cm.gl.on('click', (e) => {
    const [lon, lat] = cm.fromMap([e.lngLat.lng, e.lngLat.lat]);
    picked(lon, lat);
  });
  let framed = surveyed(view).length;
  const show = (v: CalibrationView) => {
    const at = surveyed(v);
    points.set(
      v.result.complete.map((i, k) => ({
        id: String(i),
        at: at[k],
        className: v.picking === i ? 'surveyed selected' : 'surveyed',
        label: String(i + 1),
        title: t('calib.mapPoint', { n: i + 1 }),
        attrs: { 'data-point': String(i + 1) },
      })),
    );
    const zones = zonesOnGround(cm, v);
    (cm.gl.getSource(ZONES) as GeoJSONSource).setData(zones);
    cm.gl.getCanvas().style.cursor = v.picking === undefined ? '' : 'crosshair';
    // Framed again only when the first points arrive, not at every keystroke.
    if (framed === 0 && at.length) frame(cm, at);
    framed = at.length;
    el.setAttribute('data-points', String(at.length));
    el.setAttribute('data-zones', String(zones.features.length));
  };
  show(view);
  return { show };
}

/** Close enough to tell a kerb from a shop front: the points of one camera lie within some tens of metres. */
function frame(cm: CenterMap, at: LonLat[]): void {
  if (at.length === 1) cm.gl.setZoom(19);
  fitTo(cm, at, 20);
}

/** The marks with both coordinates, WGS-84, in the order of `view.result.complete`. */
function surveyed(view: CalibrationView): LonLat[] {
  const marks = view.marks.map(inWgs84);
  return view.result.complete.map((i) => [Number(marks[i].lon), Number(marks[i].lat)]);
}

/** Each zone of the camera where the fit puts it on the ground (shifted to the tiles' datum); a zone reaching above the horizon is left out. */
function zonesOnGround(cm: CenterMap, view: CalibrationView): FeatureCollection<Polygon> {
  const { fit } = view.result;
  const d = view.edit;
  if (!fit || !d) return { type: 'FeatureCollection', features: [] };
  const { width: w, height: hgt } = d.analysis;
  const features = d.camera.zones.flatMap((z) => {
    const ring = z.polygon.map((p) => pixelToGeo(fit.homography, toPx(p, z.units ?? 'normalized', w, hgt)));
    if (ring.some((g) => !g)) return [];
    const lonLat = ring.map((g): LonLat => [g!.lon, g!.lat]);
    return [
      {
        type: 'Feature' as const,
        properties: { id: z.id, name: z.name ?? z.id },
        geometry: { type: 'Polygon' as const, coordinates: [[...lonLat, lonLat[0]].map(cm.toMap)] },
      },
    ];
  });
  return { type: 'FeatureCollection', features };
}
