import { type Box, boxArea } from '../core/geometry.ts';
import type { StaticBlob } from '../motion/scene.ts';
import type { Track } from '../track/types.ts';
import { blobObject, type RuleObject } from './objects.ts';
import type { CompiledZone } from './zone.ts';

/** A blob this much covered by a tracked person or vehicle is that object standing still, not something left. */
const EXPLAINED_COVER = 0.5;
/** A detected object covering this much of a blob (or the blob covering this much of it) is named as overlapping. */
const OVERLAP_COVER = 0.3;

/**
 * The static foreground blobs inside the zone that no tracked object of `explainedBy` accounts for, as rule
 * objects carrying the labels of any detected object overlapping them.
 */
export function unexplainedBlobs(
  blobs: readonly StaticBlob[] | undefined,
  tracks: readonly Track[],
  zone: CompiledZone,
  explainedBy: readonly string[],
  minArea: number,
): RuleObject[] {
  if (!blobs) return [];
  const out: RuleObject[] = [];
  for (const blob of blobs) {
    if (blob.area < minArea || !zone.contains(blob.box)) continue;
    const area = boxArea(blob.box);
    let explained = 0;
    const overlaps = new Set<string>();
    for (const t of tracks) {
      const inter = intersection(blob.box, t.box);
      if (inter === 0) continue;
      if (explainedBy.includes(t.label)) explained = Math.max(explained, inter / area);
      else if (inter / area >= OVERLAP_COVER || inter / boxArea(t.box) >= OVERLAP_COVER) overlaps.add(t.label);
    }
    if (explained < EXPLAINED_COVER) out.push(blobObject(blob, [...overlaps].sort()));
  }
  return out;
}

function intersection(a: Box, b: Box): number {
  return Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1)) * Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));
}
