import type { CameraConfig } from '../config/schema.ts';
import { bottomCentre, centre, type Point, pointInPolygon } from '../core/geometry.ts';
import { toPixels } from '../rules/geometry.ts';
import type { Track } from '../track/types.ts';

/** A zone of a rule whose vehicles' plates are read: its polygon in analysis pixels (absent for lines only) and labels. */
export interface PlateZone {
  polygon?: Point[];
  anchor: 'bottom_center' | 'center';
  labels: ReadonlySet<string>;
}

/** The zones of the camera's `plates.rules`, each with the labels both the rule and `plates.labels` name. Pure. */
export function plateZones(camera: CameraConfig): PlateZone[] {
  const { plates } = camera;
  if (!plates.enabled) return [];
  const types = new Set<string>(plates.rules);
  return camera.zones.flatMap((z) =>
    z.rules.flatMap((r) => {
      if (!types.has(r.type)) return [];
      const labels = ('labels' in r ? r.labels : plates.labels).filter((l) => plates.labels.includes(l));
      if (labels.length === 0) return [];
      return [{ polygon: z.polygon && toPixels(z.polygon, z.units, camera.analysis), anchor: z.anchor, labels: new Set(labels) }];
    }),
  );
}

/**
 * The tracks whose plates are worth a read now: tracked in one of the zones with one of its labels, and standing
 * still for `stillMs` (0: moving ones too). Pure.
 */
export function vehiclesToRead(tracks: readonly Track[], zones: readonly PlateZone[], stillMs: number, now: number): Track[] {
  return tracks.filter(
    (t) =>
      t.state === 'tracked' &&
      (stillMs === 0 || (!t.moving && now - t.stationarySince >= stillMs)) &&
      zones.some(
        (z) =>
          z.labels.has(t.label) && (!z.polygon || pointInPolygon(z.anchor === 'center' ? centre(t.box) : bottomCentre(t.box), z.polygon)),
      ),
  );
}
