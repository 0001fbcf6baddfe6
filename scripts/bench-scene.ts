// CPU cost of the scene model (static foreground) per analysed frame, on street.png at the usual analysis sizes.
// Usage: npm run bench:scene
import sharp from 'sharp';
import { createSceneModel } from '../agent/src/motion/scene.ts';
import { sample } from '../test/helpers/paths.ts';

const FRAMES = 200;
for (const [W, H] of [
  [640, 360],
  [720, 365],
  [1280, 720],
  [1440, 730],
]) {
  const frame = await sharp(sample('street.png')).resize(W, H, { fit: 'fill' }).removeAlpha().raw().toBuffer();
  const scene = createSceneModel(W, H);
  for (let i = 0; i < 20; i++) scene.update({ data: frame, width: W, height: H }, i * 500);
  const before = process.cpuUsage();
  for (let i = 20; i < 20 + FRAMES; i++) scene.update({ data: frame, width: W, height: H }, i * 500);
  const used = process.cpuUsage(before);
  console.log(
    `${W}×${H}: cells of ${scene.cellSize} px, ${((used.user + used.system) / 1000 / FRAMES).toFixed(2)} ms CPU per frame (mean of ${FRAMES})`,
  );
}
