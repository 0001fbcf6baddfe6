import { type CenterMap, createMap, fitTo, type LonLat, mapOrNotice } from '../../web/client/map/basemap.ts';
import { type MapPoint, pointLayer } from '../../web/client/map/markers.ts';
import { setSlots } from '../client/map/layers.ts';
import type { CellBounds } from '../patrol-plan.ts';
import type { Point } from './place.ts';

/*
 * The phone's map, loaded as its own chunk when a map is first shown: the dispatch map's MapLibre module on the same
 * basemap (the city's tiles, the center's tile file, or plain paper), with the task's spot, the officer and his
 * unit's slots.
 */

export interface PhoneMapSpec {
  /** The task's spot, or none when the map shows only his slots. */
  spot: Point | null;
  me: Point | null;
  slots: CellBounds[];
  /** Words for the markers' tooltips. */
  words: { spot: string; me: string };
}

export interface PhoneMap {
  show(spec: PhoneMapSpec): void;
}

const lonLat = (p: Point): LonLat => [p.lon, p.lat];

/** The map in `el`, or null when the browser cannot draw one (no WebGL2: `el` then says so). */
export async function mountPhoneMap(el: HTMLElement): Promise<PhoneMap | null> {
  if (!mapOrNotice(el)) return null;
  const cm: CenterMap = await createMap(el);
  await cm.ready;
  const points = pointLayer(cm, 'phone');
  // Framed again only when what it is about changes (another task, the slots' map), not at each GPS fix.
  let framedFor = '';
  return {
    show(spec) {
      setSlots(cm, spec.slots);
      el.setAttribute('data-slots', String(spec.slots.length));
      const marks: MapPoint[] = [];
      if (spec.spot) marks.push({ id: 'spot', at: lonLat(spec.spot), className: 'spot', title: spec.words.spot });
      if (spec.me) marks.push({ id: 'me', at: lonLat(spec.me), className: 'me', title: spec.words.me });
      points.set(marks);
      const about = spec.spot ? `${spec.spot.lon},${spec.spot.lat}` : 'slots';
      if (about === framedFor) return;
      const around = spec.spot
        ? [lonLat(spec.spot), ...(spec.me ? [lonLat(spec.me)] : [])]
        : [
            ...spec.slots.flatMap((b): LonLat[] => [
              [b.west, b.south],
              [b.east, b.north],
            ]),
            ...(spec.me ? [lonLat(spec.me)] : []),
          ];
      if (!around.length) return;
      if (around.length === 1) cm.gl.setZoom(16);
      fitTo(cm, around);
      framedFor = about;
    },
  };
}
