import { Worker } from 'node:worker_threads';
import { bootstrap } from '../core/worker-entry.ts';
import type { FromWorker, ToWorker } from './protocol.ts';

export interface ThreadClient {
  onMessage(m: FromWorker): void;
  /** The worker died (an uncaught error there): the camera is no longer read. */
  onCrash(err: Error): void;
}

/**
 * The one ingest worker thread all camera sources share. Started with the first source, ended with the last, so
 * that tests and short commands exit on their own.
 */
export class IngestThread {
  private static shared: IngestThread | undefined;
  private readonly worker: Worker;
  private readonly clients = new Map<string, ThreadClient>();
  private users = 0;
  private exited: Promise<void>;

  private constructor(onCrash: (err: Error) => void) {
    this.worker = new Worker(bootstrap(workerEntry()), { eval: true, name: 'jifang-ingest' });
    this.worker.on('message', (m: FromWorker) => this.clients.get(m.camera)?.onMessage(m));
    this.worker.on('error', onCrash);
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
  }

  /** The shared thread, started if needed; every `acquire` is paired with a `release`. */
  static acquire(): IngestThread {
    const t = (IngestThread.shared ??= new IngestThread((err) => t.crashed(err)));
    t.users++;
    return t;
  }

  subscribe(camera: string, client: ThreadClient): void {
    if (this.clients.has(camera)) throw new Error(`camera "${camera}" is already being read`);
    this.clients.set(camera, client);
  }

  send(m: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(m, transfer);
  }

  async release(camera: string): Promise<void> {
    this.clients.delete(camera);
    if (--this.users > 0) return;
    if (IngestThread.shared === this) IngestThread.shared = undefined;
    await this.worker.terminate();
    await this.exited;
  }

  /** An uncaught error in the worker ends it; every source hears about it and the next acquire starts a new one. */
  private crashed(err: Error): void {
    if (IngestThread.shared === this) IngestThread.shared = undefined;
    for (const c of this.clients.values()) c.onCrash(err);
  }
}

/** The built JavaScript (dist/) sits beside its worker.js, the sources beside worker.ts. */
function workerEntry(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);
}
