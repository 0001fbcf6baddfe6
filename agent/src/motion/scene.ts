import type { Box } from '../core/geometry.ts';

/** Something new in the scene that has stayed still: foreground against the long-term background, at rest. */
export interface StaticBlob {
  /** Stable while the blob persists; counted per camera from 1. */
  id: number;
  /** Pixels of the analysed frame. */
  box: Box;
  /** Foreground area, pixels of the analysed frame. */
  area: number;
  /** When it came to rest (ms since the epoch). */
  since: number;
  lastSeen: number;
}
