import { type CommandRun, unknownCamera } from './types.ts';

/** `cmd/snapshot`: a fresh annotated frame of one of this box's cameras, published beside the reply. */
export const runSnapshotCommand: CommandRun<'snapshot'> = async ({ camera }, handlers, _at, topics) => {
  const unknown = unknownCamera(camera, handlers);
  if (unknown) return { outcome: unknown };
  const shot = await handlers.snapshot(camera);
  if (!shot.ok) return { outcome: shot };
  const detail = {
    camera,
    topic: topics.requestedSnapshot(camera),
    sha256: shot.sha256,
    bytes: shot.jpeg.length,
    width: shot.width,
    height: shot.height,
  };
  return { outcome: { ok: true, detail }, snapshot: { camera, jpeg: shot.jpeg } };
};
