import type { CommandRun } from './types.ts';

/** `cmd/snapshot`: a fresh annotated frame of one of this box's cameras, published beside the reply. */
export const runSnapshotCommand: CommandRun<'snapshot'> = async ({ camera }, handlers, _at, topics) => {
  const known = handlers.cameras();
  if (!known.includes(camera)) {
    return { outcome: { ok: false, error: `unknown camera "${camera}": this box has ${known.map((c) => `"${c}"`).join(', ') || 'no cameras'}` } };
  }
  const shot = await handlers.snapshot(camera);
  if (!shot.ok) return { outcome: shot };
  const detail = { camera, topic: topics.requestedSnapshot(camera), sha256: shot.sha256, bytes: shot.jpeg.length, width: shot.width, height: shot.height };
  return { outcome: { ok: true, detail }, snapshot: { camera, jpeg: shot.jpeg } };
};
