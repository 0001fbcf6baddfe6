import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Box, iou } from '../../../agent/src/core/geometry.ts';
import { createSceneModel, type SceneModel, type SceneUpdate } from '../../../agent/src/motion/scene.ts';
import { sample } from '../../helpers/paths.ts';

/** street.png at 760×385, seen through a 720×365 window (the camera), with real photos pasted in by sharp. */
const W = 720;
const H = 365;
let street: Buffer;
let sign: Buffer;
const SIGN_AT = { left: 330, top: 300 };
const SIGN_BOX: Box = { x1: 330, y1: 300, x2: 390, y2: 361 };

beforeAll(async () => {
  street = await sharp(sample('street.png')).resize(760, 385).removeAlpha().raw().toBuffer();
  // The "SHOW … FAST FOOD TO GO" board of street-sf.jpg.
  sign = await sharp(sample('street-sf.jpg'))
    .extract({ left: 590, top: 210, width: 176, height: 180 })
    .resize(60, 61)
    .removeAlpha()
    .raw()
    .toBuffer();
});

function view(x = 10, y = 8, withSign = false, grey = false): Uint8Array {
  const out = new Uint8Array(W * H * 3);
  for (let r = 0; r < H; r++) out.set(street.subarray(((r + y) * 760 + x) * 3, ((r + y) * 760 + x + W) * 3), r * W * 3);
  if (withSign)
    for (let r = 0; r < 61; r++) out.set(sign.subarray(r * 60 * 3, (r + 1) * 60 * 3), ((SIGN_AT.top + r) * W + SIGN_AT.left) * 3);
  if (grey) {
    for (let i = 0; i < out.length; i += 3) {
      const l = Math.round(0.299 * out[i] + 0.587 * out[i + 1] + 0.114 * out[i + 2]);
      out[i] = out[i + 1] = out[i + 2] = l;
    }
  }
  return out;
}

function feed(scene: SceneModel, seconds: number, frame: Uint8Array, clock: { t: number }): SceneUpdate[] {
  const out: SceneUpdate[] = [];
  for (let i = 0; i < seconds * 2; i++) out.push(scene.update({ data: frame, width: W, height: H }, (clock.t += 500)));
  return out;
}

describe('scene model: static foreground', () => {
  it('a board set down after the background is learned becomes one blob on it, at rest since it arrived', () => {
    const scene = createSceneModel(W, H);
    const clock = { t: 0 };
    feed(scene, 10, view(), clock);
    const arrived = clock.t;
    const [last] = feed(scene, 15, view(10, 8, true), clock).slice(-1);
    expect(last.blobs).toHaveLength(1);
    expect(iou(last.blobs[0].box, SIGN_BOX)).toBeGreaterThan(0.6);
    expect(last.blobs[0].since - arrived).toBeLessThan(5000);
  });

  it('something in the first view that goes away (a passer-by walking on) leaves no static foreground behind', () => {
    const scene = createSceneModel(W, H);
    const clock = { t: 0 };
    feed(scene, 1, view(10, 8, true), clock);
    const after = feed(scene, 40, view(), clock);
    expect(after.filter((u) => u.blobs.length > 0).map((u) => u.blobs.map((b) => b.box))).toEqual([]);
    // What is set down once the background is learned is found as before.
    const [last] = feed(scene, 15, view(10, 8, true), clock).slice(-1);
    expect(last.blobs).toHaveLength(1);
    expect(iou(last.blobs[0].box, SIGN_BOX)).toBeGreaterThan(0.6);
  });

  it('a board there from the first frame is background; with a reference captured on the clean street it is found', () => {
    const unaware = createSceneModel(W, H);
    const c1 = { t: 0 };
    expect(feed(unaware, 20, view(10, 8, true), c1).at(-1)!.blobs).toEqual([]);

    const referenced = createSceneModel(W, H);
    const c2 = { t: 0 };
    feed(referenced, 5, view(), c2);
    referenced.captureReference();
    expect(referenced.hasReference).toBe(true);
    // Restarted or not, the board is compared with the clean street, not with what the model learned since.
    feed(referenced, 5, view(10, 8, true), c2);
    const [last] = feed(referenced, 10, view(10, 8, true), c2).slice(-1);
    expect(last.blobs.map((b) => iou(b.box, SIGN_BOX) > 0.6)).toEqual([true]);
  });

  it('a camera nudged by 4 × 2 px: re-referenced and reported as camera_moved with the shift, and no blobs', () => {
    const scene = createSceneModel(W, H);
    const clock = { t: 0 };
    feed(scene, 10, view(), clock);
    scene.captureReference();
    const after = feed(scene, 10, view(14, 10), clock);
    const reports = after.flatMap((u) => (u.rereferenced ? [u.rereferenced] : []));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ reason: 'camera_moved', shift: { dx: 4, dy: 2 }, referenceLost: true });
    expect(after.every((u) => u.blobs.length === 0)).toBe(true);
  });

  it('day/night IR switch (colour → grey): re-referenced as scene_changed, no blobs', () => {
    const scene = createSceneModel(W, H);
    const clock = { t: 0 };
    feed(scene, 10, view(), clock);
    const after = feed(scene, 10, view(10, 8, false, true), clock);
    expect(after.flatMap((u) => (u.rereferenced ? [u.rereferenced.reason] : []))).toEqual(['scene_changed']);
    expect(after.every((u) => u.blobs.length === 0)).toBe(true);
  });

  it('refuses frames of another size and time running backwards, saying what it expected', () => {
    const scene = createSceneModel(W, H);
    expect(() => scene.update({ data: new Uint8Array(10 * 10 * 3), width: 10, height: 10 }, 0)).toThrow(
      /expected 720×365 \(the analysis size\)/,
    );
    scene.update({ data: view(), width: W, height: H }, 1000);
    expect(() => scene.update({ data: view(), width: W, height: H }, 500)).toThrow(/time went backwards/);
  });
});
