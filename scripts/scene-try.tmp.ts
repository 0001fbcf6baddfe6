import { createSceneModel } from '../agent/src/motion/scene.ts';
import { clipFrames, type SceneClip } from '../test/helpers/composite.ts';
const SIGN = { photo: 'street-sf.jpg', crop: { x: 590, y: 210, width: 176, height: 180 }, width: 60, at: { x: 330, y: 300 }, fromSeconds: 20 };
const scenes: Record<string, SceneClip> = {
  object: { still: 'street.png', width: 720, height: 365, seconds: 50, overlays: [SIGN] },
  ramp: { still: 'street.png', width: 720, height: 365, seconds: 50, brightness: '0.25*min(1,max(0,(t-10)/30))' },
  step: { still: 'street.png', width: 720, height: 365, seconds: 50, brightness: 'if(gte(t,20),0.15,0)' },
};
for (const [name, clip] of Object.entries(scenes)) {
  const scene = createSceneModel(clip.width, clip.height);
  let cpu = 0, n = 0;
  for await (const f of clipFrames(clip, 2)) {
    const c0 = process.cpuUsage();
    const u = scene.update({ data: f.data, width: clip.width, height: clip.height }, 1e12 + f.t * 1000);
    const c1 = process.cpuUsage(c0); cpu += (c1.user + c1.system) / 1000; n++;
    if (f.t % 5 === 0 || u.rereferenced) {
      const area = u.blobs.reduce((s, b) => s + b.area, 0);
      const big = u.blobs.filter((b) => b.area >= 400).map((b) => `#${b.id}[${b.box.x1},${b.box.y1},${b.box.x2},${b.box.y2}]${b.area}@${((b.since - 1e12) / 1000).toFixed(1)}`).join(' ');
      console.log(name, f.t, `blobs ${u.blobs.length} area ${area}`, big, u.rereferenced ? JSON.stringify(u.rereferenced) : '');
    }
  }
  console.log(name, 'cell', scene.cellSize, 'cpu ms/frame', (cpu / n).toFixed(2));
}
