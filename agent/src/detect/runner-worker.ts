import { parentPort, workerData } from 'node:worker_threads';
import { silentLogger } from '../core/log.ts';
import type { OutputTensor } from './decoders/types.ts';
import { type FromRunner, type RunnerWorkerData, SessionRunner, type ToRunner } from './runner.ts';

/** ONNX Runtime's own thread: runs the model on each input it is handed, in order, and nothing else. */
const port = parentPort!;
const { model, cfg } = workerData as RunnerWorkerData;

try {
  const runner = await SessionRunner.open(model, cfg, silentLogger);
  port.on('message', async (m: ToRunner) => {
    let reply: FromRunner;
    const transfer: ArrayBuffer[] = [];
    try {
      const r = await runner.run(m.input, m.rows);
      const outputs: Record<string, OutputTensor> = {};
      for (const [name, t] of Object.entries(r.outputs)) {
        outputs[name] = { dims: t.dims, type: t.type, data: t.data };
        const data = t.data as { buffer?: unknown };
        if (data.buffer instanceof ArrayBuffer && !transfer.includes(data.buffer)) transfer.push(data.buffer);
      }
      reply = { type: 'result', id: m.id, input: m.input, outputs, ms: r.ms };
    } catch (err) {
      reply = { type: 'error', id: m.id, input: m.input, message: (err as Error).message };
    }
    transfer.push(m.input.buffer as ArrayBuffer);
    port.postMessage(reply, transfer);
  });
  port.postMessage({ type: 'ready' } satisfies FromRunner);
} catch (err) {
  port.postMessage({ type: 'fatal', message: (err as Error).message } satisfies FromRunner);
}
