import { parentPort, workerData } from 'node:worker_threads';
import { silentLogger } from '../core/log.ts';
import { createDetector } from './detector.ts';
import type { DetectorWorkerData, FromDetectorWorker, ToDetectorWorker } from './worker-protocol.ts';

/** The detector's own thread: its own ORT session; requests are answered in order, one at a time. */
const port = parentPort!;
const { model, cfg } = workerData as DetectorWorkerData;
const send = (m: FromDetectorWorker) => port.postMessage(m);

try {
  const detector = await createDetector(model, cfg, silentLogger);
  let queue = Promise.resolve();
  port.on('message', (m: ToDetectorWorker) => {
    queue = queue.then(async () => {
      try {
        const detections = await detector.detect({ data: m.data, width: m.width, height: m.height }, m.windows, {
          wholeFrame: m.wholeFrame,
        });
        send({ type: 'result', id: m.id, detections, timings: detector.lastTimings });
      } catch (err) {
        send({ type: 'error', id: m.id, message: (err as Error).message });
      }
    });
  });
  send({ type: 'ready', info: detector.info });
} catch (err) {
  send({ type: 'fatal', message: (err as Error).message });
}
