/** A point as `[x, y]`: normalised 0..1 or pixels, as its owner says. */
export type Point = [number, number];

/** WGS-84 / CGCS2000 degrees (equal at street scale). */
export interface LatLon {
  lat: number;
  lon: number;
}

/** Axis-aligned box in pixel coordinates of the analysed frame (x2/y2 exclusive edges). */
export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** RGB24, row-major, tightly packed: data.length === width * height * 3. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Throws unless `image.data` holds exactly width × height RGB pixels. */
export function assertRgbImage(image: RgbImage): void {
  if (image.data.length !== image.width * image.height * 3) {
    throw new Error(
      `expected an RGB24 image of ${image.width}×${image.height}×3 = ${image.width * image.height * 3} bytes, got ${image.data.length}`,
    );
  }
}

export function boxArea(b: Box): number {
  return Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1);
}

export function iou(a: Box, b: Box): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (boxArea(a) + boxArea(b) - inter);
}

export function centre(b: Box): Point {
  return [(b.x1 + b.x2) / 2, (b.y1 + b.y2) / 2];
}

/** The ground contact of an upright object seen from above the ground: the box's bottom centre. */
export function bottomCentre(b: Box): Point {
  return [(b.x1 + b.x2) / 2, b.y2];
}

export function unionBox(boxes: readonly Box[]): Box {
  if (boxes.length === 0) throw new Error('unionBox: expected at least one box');
  let { x1, y1, x2, y2 } = boxes[0];
  for (const b of boxes) {
    x1 = Math.min(x1, b.x1);
    y1 = Math.min(y1, b.y1);
    x2 = Math.max(x2, b.x2);
    y2 = Math.max(y2, b.y2);
  }
  return { x1, y1, x2, y2 };
}

/** Gap between two boxes along the axis where they are furthest apart; 0 when they touch or overlap. */
export function boxGap(a: Box, b: Box): number {
  const dx = Math.max(0, a.x1 - b.x2, b.x1 - a.x2);
  const dy = Math.max(0, a.y1 - b.y2, b.y1 - a.y2);
  return Math.max(dx, dy);
}

/**
 * Even-odd test, half-open: a point on an axis-parallel edge is inside on the low-x and low-y sides and outside on the
 * high ones, so two areas sharing such a border do not both claim a point on it. On a slanted edge it may fall either
 * way, which is fine for zones drawn by hand.
 */
export function pointInPolygon([x, y]: Readonly<Point>, polygon: readonly Readonly<Point>[]): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i];
    const [xj, yj] = polygon[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** The same test on degrees as [lon, lat]: areas are a few kilometres across, where the projection's bend does not matter. */
export function latLonInPolygon(p: LatLon, polygon: readonly LatLon[]): boolean {
  return pointInPolygon(
    [p.lon, p.lat],
    polygon.map((q): Point => [q.lon, q.lat]),
  );
}
