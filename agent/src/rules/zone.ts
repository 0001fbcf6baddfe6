import { type Box, bottomCentre, centre, type Point, pointInPolygon } from '../core/geometry.ts';
import { toPixels } from './geometry.ts';

/** A zone as configured, the part its geometry needs. */
export interface ZoneShape {
  id: string;
  name?: string;
  units: 'normalized' | 'pixels';
  polygon?: readonly Point[];
  anchor: 'bottom_center' | 'center';
}

/** A zone in the pixels of the analysed frame. */
export interface CompiledZone {
  id: string;
  name: string | undefined;
  polygon: readonly Point[];
  /** The point of a box that decides presence (the zone's `anchor`). */
  anchorOf(box: Box): Point;
  contains(box: Box): boolean;
  /** Converts a point given in the zone's units (e.g. a crossing line) to pixels. */
  toPixels(points: readonly Point[]): Point[];
}

export function compileZone(zone: ZoneShape, frame: { width: number; height: number }): CompiledZone {
  // A zone of crossing lines only has no area: nothing is inside it.
  const polygon = toPixels(zone.polygon ?? [], zone.units, frame);
  const anchorOf = zone.anchor === 'center' ? centre : bottomCentre;
  return {
    id: zone.id,
    name: zone.name,
    polygon,
    anchorOf,
    contains: (box) => pointInPolygon(anchorOf(box), polygon),
    toPixels: (points) => toPixels(points, zone.units, frame),
  };
}
