import type { Frame } from '../../agent/src/ingest/frame.ts';
import type { CameraSource, SourceStatus } from '../../agent/src/ingest/source.ts';

/** Resolves with the first status (current or a later 'state' event) that satisfies `pred`. */
export function untilState(src: CameraSource, pred: (s: SourceStatus) => boolean): Promise<SourceStatus> {
  return new Promise((resolve) => {
    if (pred(src.status())) return resolve(src.status());
    const onState = (s: SourceStatus) => {
      if (!pred(s)) return;
      src.off('state', onState);
      resolve(s);
    };
    src.on('state', onState);
  });
}

/** The source's next frame (handed back to its pool at once: only its fields are read). */
export function nextFrame(src: CameraSource): Promise<Frame> {
  return new Promise((resolve) =>
    src.once('frame', (f) => {
      resolve(f);
      src.recycle(f);
    }),
  );
}
