import { parentPort } from 'node:worker_threads';
import type { FromWorker, LogLevel, ToWorker } from './protocol.ts';
import { type LogSink, StreamSupervisor, stoppedStatus } from './supervisor.ts';

/**
 * The ingest worker thread: hosts every camera's supervisor, reads the ffmpeg pipes and cuts frames here, where
 * inference on the main thread cannot hold them up, and hands each frame over without copying (transfer).
 */
const port = parentPort;
if (!port) throw new Error('agent/src/ingest/worker.ts runs as a worker thread, started by the ingest thread');

const supervisors = new Map<string, StreamSupervisor>();
const post = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

function forwardingLog(camera: string): LogSink {
  const at = (level: LogLevel) => (obj: Record<string, unknown>, msg: string) => post({ type: 'log', camera, level, obj, msg });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'start': {
      const camera = m.config.id;
      const sup = new StreamSupervisor(m.config, forwardingLog(camera), Math.random, m.ring);
      supervisors.set(camera, sup);
      sup.on('state', (status) => post({ type: 'state', camera, status }));
      sup.on('frame', (f) => {
        const data = f.data.buffer as ArrayBuffer;
        post({ type: 'frame', camera, seq: f.seq, receivedAt: f.receivedAt, monoAt: f.monoAt, data, status: sup.status() }, [data]);
      });
      sup.start();
      return;
    }
    case 'stop': {
      const sup = supervisors.get(m.camera);
      supervisors.delete(m.camera);
      if (!sup) return post({ type: 'stopped', camera: m.camera, status: stoppedStatus(m.camera) });
      void sup.stop().then(() => post({ type: 'stopped', camera: m.camera, status: sup.status() }));
      return;
    }
    case 'recycle':
      supervisors.get(m.camera)?.recycleTransferred(Buffer.from(m.data));
      return;
  }
});
