import type { Box, RgbImage } from '../core/geometry.ts';

/** What the scorer needs to know about one object of the event in one frame. */
export interface ScoredObject {
  box: Box;
  score: number;
}

export interface FrameQualityInput {
  objects: readonly ScoredObject[];
  frame: { width: number; height: number };
  /** Mean sharpness over the objects' boxes, from `sharpness()`. */
  sharpness: number;
}

/** Laplacian variance at which an object counts as half sharp; typical in-focus street footage gives 100–1000. */
const SHARPNESS_HALF = 60;
/** An object whose box side is half the frame's counts as fully large. */
const FULL_SIZE = 0.5;
/** Pixels from the frame edge inside which a box counts as cut off. */
const EDGE_MARGIN = 2;

/**
 * Evidence value of a frame for an event, 0..1: higher detection scores, larger objects, sharper
 * pixels and objects fully in view make a better picture for an officer. Pure.
 *
 * score × (0.4 + 0.6·size) × (0.3 + 0.7·sharp) × (0.7 if any object is cut by the frame edge)
 */
export function frameQuality(input: FrameQualityInput): number {
  const { objects, frame } = input;
  if (objects.length === 0) return 0;
  let score = 0;
  let size = 0;
  let cut = false;
  for (const o of objects) {
    score += o.score;
    const w = Math.max(0, o.box.x2 - o.box.x1) / frame.width;
    const h = Math.max(0, o.box.y2 - o.box.y1) / frame.height;
    size += Math.min(1, Math.sqrt(w * h) / FULL_SIZE);
    if (o.box.x1 <= EDGE_MARGIN || o.box.y1 <= EDGE_MARGIN || o.box.x2 >= frame.width - EDGE_MARGIN || o.box.y2 >= frame.height - EDGE_MARGIN) cut = true;
  }
  score /= objects.length;
  size /= objects.length;
  const sharp = input.sharpness / (input.sharpness + SHARPNESS_HALF);
  return score * (0.4 + 0.6 * size) * (0.3 + 0.7 * sharp) * (cut ? 0.7 : 1);
}

/**
 * Variance of the 4-neighbour Laplacian of the luma inside `box` (a standard focus / motion-blur
 * measure). Samples at most ~`maxSamples` pixels on a regular grid, allocation-free.
 */
export function sharpness(image: RgbImage, box: Box, maxSamples = 8192): number {
  const { data, width, height } = image;
  const x1 = Math.max(1, Math.floor(box.x1));
  const y1 = Math.max(1, Math.floor(box.y1));
  const x2 = Math.min(width - 1, Math.ceil(box.x2));
  const y2 = Math.min(height - 1, Math.ceil(box.y2));
  if (x2 - x1 < 1 || y2 - y1 < 1) return 0;
  const step = Math.max(1, Math.floor(Math.sqrt(((x2 - x1) * (y2 - y1)) / maxSamples)));
  const row = width * 3;
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  for (let y = y1; y < y2; y += step) {
    for (let x = x1; x < x2; x += step) {
      const i = (y * width + x) * 3;
      const lap = 4 * luma(data, i) - luma(data, i - 3) - luma(data, i + 3) - luma(data, i - row) - luma(data, i + row);
      sum += lap;
      sumSq += lap * lap;
      n++;
    }
  }
  const mean = sum / n;
  return sumSq / n - mean * mean;
}

function luma(d: Uint8Array, i: number): number {
  return (77 * d[i] + 150 * d[i + 1] + 29 * d[i + 2]) >> 8;
}

export interface BestFrame<T> {
  image: RgbImage;
  quality: number;
  /** Caller's data for the frame (capture time, objects …), kept with the pixels. */
  meta: T;
}

/**
 * The best frame seen so far for each open event. Pixels are copied only when a frame wins, into a
 * buffer the event keeps (and that returns to a small pool when the event is dropped), so offering
 * every analysed frame allocates nothing proportional to the image.
 */
export class BestFrames<T> {
  private readonly best = new Map<string, BestFrame<T>>();
  private readonly pool: Uint8Array[] = [];

  /** `minGain`: a new frame must beat the held one by this fraction, so snapshots are not re-rendered for noise. */
  constructor(private readonly minGain = 0.05, private readonly poolSize = 4) {}

  /** Offers a frame; returns true when it became the event's best (the first frame always does). */
  offer(eventId: string, image: RgbImage, objects: readonly ScoredObject[], meta: T): boolean {
    let sharp = 0;
    for (const o of objects) sharp += sharpness(image, o.box);
    const quality = frameQuality({ objects, frame: image, sharpness: objects.length ? sharp / objects.length : 0 });
    const held = this.best.get(eventId);
    if (held && quality <= held.quality * (1 + this.minGain)) return false;
    let buf = held?.image.data;
    if (!buf || buf.length !== image.data.length) {
      if (buf) this.release(buf);
      buf = this.acquire(image.data.length);
    }
    buf.set(image.data);
    this.best.set(eventId, { image: { data: buf, width: image.width, height: image.height }, quality, meta });
    return true;
  }

  get(eventId: string): BestFrame<T> | undefined {
    return this.best.get(eventId);
  }

  /** Forgets the event (call when it ends, after its final snapshot is stored). */
  drop(eventId: string): void {
    const held = this.best.get(eventId);
    if (!held) return;
    this.best.delete(eventId);
    this.release(held.image.data);
  }

  get size(): number {
    return this.best.size;
  }

  private acquire(length: number): Uint8Array {
    const i = this.pool.findIndex((b) => b.length === length);
    return i >= 0 ? this.pool.splice(i, 1)[0] : new Uint8Array(length);
  }

  private release(buf: Uint8Array): void {
    if (this.pool.length < this.poolSize) this.pool.push(buf);
  }
}
