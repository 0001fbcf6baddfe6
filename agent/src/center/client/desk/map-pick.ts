import type { Area } from '../../patrol/schema.ts';

/* The patrol pages' two uses of the map: pick one point, draw a unit's area. Drawn by the map module (../map/). */

/** Shows the map in `holder`; each click there picks the point and marks it. */
export async function pointPicker(_holder: HTMLElement, _picked: (lon: number, lat: number) => void): Promise<void> {
  throw new Error('the map module is not in this build yet');
}

/** Shows `area` on the map in `holder` and lets the user draw and clear its polygons; `changed` gets every new area. */
export async function areaEditor(_holder: HTMLElement, _area: Area, _changed: (area: Area) => void): Promise<void> {
  throw new Error('the map module is not in this build yet');
}
