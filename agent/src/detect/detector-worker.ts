import { parentPort, workerData } from 'node:worker_threads';
import { silentLogger } from '../core/log.ts';
import { createDetector } from './detector.ts';
import type { DetectorWorkerData, FromDetectorWorker, ToDetectorWorker } from './worker-protocol.ts';

/**
 * The detector's own thread: preprocessing and decoding here, ONNX Runtime in a thread of its own below this one
 * (so the next region is prepared while the current one is inferred). Requests are answered in order.
 */
const port = parentPort!;
const { model, cfg } = workerData as DetectorWorkerData;
const send = (m: FromDetectorWorker) => port.postMessage(m);

try {
  // Without its model thread this detector cannot run: ending here lets the owner restart the whole detector.
  const detector = await createDetector(model, cfg, silentLogger, 'thread', () => process.exit(1));
  port.on('message', (m: ToDetectorWorker) => {
    detector.detect({ data: m.data, width: m.width, height: m.height }, m.windows, { wholeFrame: m.wholeFrame }).then(
      (detections) => send({ type: 'result', id: m.id, detections, timings: detector.lastTimings }),
      (err: Error) => send({ type: 'error', id: m.id, message: err.message }),
    );
  });
  send({ type: 'ready', info: detector.info });
} catch (err) {
  send({ type: 'fatal', message: (err as Error).message });
}
