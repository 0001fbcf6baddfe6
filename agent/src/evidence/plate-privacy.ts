import { type Box, centre, iou, type RgbImage, unionBox } from '../core/geometry.ts';
import type { PlateDetection } from '../plate/decode.ts';
import { pixelateBoxes } from './pixelate.ts';

/** Finds plates (without reading them) in a region of an image, at the plate reader's low priority. */
export interface PlateFinder {
  find(image: RgbImage, region?: Box): Promise<PlateDetection[]>;
}

export interface PlateRegions {
  /** The event vehicles' own plates: left legible. */
  keep: Box[];
  /** Every other plate found: bystanders' plates, to be pixelated. */
  hide: Box[];
}

/** Two searches of overlapping vehicle boxes find the same plates: a box this similar to one searched is skipped. */
const SAME_REGION_IOU = 0.8;
/** A plate found twice (whole image and a vehicle's box) is one plate. */
const SAME_PLATE_IOU = 0.3;
/** A found plate box is grown by this much of its size on every side: the detector's box may be tight or a bit off. */
const PLATE_MARGIN = 0.15;
/** A hidden plate is at most this many blocks high, so its characters cannot be made out whatever the resolution. */
const MAX_BLOCKS_HIGH = 3;

/**
 * Which plates in `image` belong to the event and which to bystanders (all boxes in `image` pixels). An event
 * vehicle keeps the best plate found in its box (a second one there belongs to a neighbour, as in plate reading);
 * every other plate found, in the other vehicles' boxes or the whole image, is to be hidden.
 */
export async function findBystanderPlates(
  image: RgbImage,
  finder: PlateFinder,
  eventBoxes: readonly Box[],
  otherBoxes: readonly Box[],
): Promise<PlateRegions> {
  const keep: Box[] = [];
  const found: Box[] = [];
  for (const box of eventBoxes) {
    const plates = (await finder.find(image, box)).sort((a, b) => b.score - a.score);
    if (plates[0]) keep.push(plates[0].box);
    for (const p of plates.slice(1)) found.push(p.box);
  }
  const searched: Box[] = [];
  for (const box of [undefined, ...otherBoxes]) {
    if (box && searched.some((s) => iou(s, box) > SAME_REGION_IOU)) continue;
    if (box) searched.push(box);
    for (const p of await finder.find(image, box)) found.push(p.box);
  }
  const hide: Box[] = [];
  for (const b of found) {
    if (keep.some((k) => samePlate(k, b))) continue;
    // Found again in another search (a vehicle's box may cut the plate): hide both extents.
    const i = hide.findIndex((h) => iou(h, b) > SAME_PLATE_IOU);
    if (i >= 0) hide[i] = unionBox([hide[i], b]);
    else hide.push(b);
  }
  return { keep, hide };
}

/**
 * Pixelates each plate box (grown by a margin) in place, with blocks of at least `block` pixels and at most
 * MAX_BLOCKS_HIGH blocks over the plate's height.
 */
export function pixelatePlates(image: RgbImage, plates: readonly Box[], block: number): void {
  for (const p of plates) {
    const grown = plateCover(p);
    pixelateBoxes(image, [grown], plateBlock(grown, block));
  }
}

/** What hides a found plate: its box grown by PLATE_MARGIN and `extra` more of its size on every side. Pure. */
export function plateCover(p: Box, extra = 0): Box {
  const dx = (p.x2 - p.x1) * (PLATE_MARGIN + extra);
  const dy = (p.y2 - p.y1) * (PLATE_MARGIN + extra);
  return { x1: p.x1 - dx, y1: p.y1 - dy, x2: p.x2 + dx, y2: p.y2 + dy };
}

/** The block side over a plate cover: at least `block`, and no more than MAX_BLOCKS_HIGH blocks high. Pure. */
export function plateBlock(cover: Box, block: number): number {
  return Math.max(block, Math.ceil((cover.y2 - cover.y1) / MAX_BLOCKS_HIGH));
}

function samePlate(kept: Box, b: Box): boolean {
  if (iou(kept, b) > SAME_PLATE_IOU) return true;
  const [x, y] = centre(b);
  return x >= kept.x1 && x <= kept.x2 && y >= kept.y1 && y <= kept.y2;
}
