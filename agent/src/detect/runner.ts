import { readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import ort from 'onnxruntime-node';
import type { Logger } from '../core/log.ts';
import { bootstrap } from '../core/worker-entry.ts';
import { flexibleHeight } from '../model/flexible-height.ts';
import type { LoadedModel } from '../model/load.ts';
import type { DetectorConfig } from './config.ts';
import type { Outputs } from './decoders/types.ts';
import { bindInputs, openSession } from './session.ts';

/** One model run's answer: the outputs, the input buffer handed back (it may have travelled) and the run's time. */
export interface RunResult {
  outputs: Outputs;
  input: Float32Array;
  ms: number;
}

/**
 * Runs the model on a preprocessed input of `rows` input rows (the model's height unless its padding is trimmed; the
 * tensor is the buffer's first 3 × width × rows values). Runs are answered in the order they were asked for. The
 * caller hands `input` over: it gets the buffer back in the result and must not touch it meanwhile.
 */
export interface ModelRunner {
  run(input: Float32Array, rows: number): Promise<RunResult>;
  release(): Promise<void>;
}

/**
 * The session in this thread. onnxruntime-node's `run` is synchronous inside a deferred callback, so this thread is
 * blocked for the whole inference: nothing else here overlaps it.
 */
export class SessionRunner implements ModelRunner {
  private constructor(
    private readonly session: InferenceSession,
    private readonly imageInput: string,
    private readonly width: number,
    private readonly fixed: Record<string, Tensor>,
  ) {}

  static async open(model: LoadedModel, cfg: DetectorConfig, log: Logger): Promise<SessionRunner> {
    const { manifest } = model;
    const session = await openSession(await modelSource(model), cfg, log, model.modelPath);
    try {
      const inputs = bindInputs(session, manifest, `model ${manifest.name} (${model.modelPath})`);
      const { width: iw, height: ih } = manifest.input;
      const fixed: Record<string, Tensor> = {};
      if (inputs.sizeInput) fixed[inputs.sizeInput] = new ort.Tensor('int64', BigInt64Array.from([BigInt(iw), BigInt(ih)]), [1, 2]);
      return new SessionRunner(session, inputs.image, iw, fixed);
    } catch (err) {
      await session.release();
      throw err;
    }
  }

  async run(input: Float32Array, rows: number): Promise<RunResult> {
    const t0 = performance.now();
    const values = 3 * this.width * rows;
    const data = values === input.length ? input : input.subarray(0, values);
    const outputs = await this.session.run({ ...this.fixed, [this.imageInput]: new ort.Tensor('float32', data, [1, 3, rows, this.width]) });
    return { outputs, input, ms: performance.now() - t0 };
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

/**
 * What ONNX Runtime opens for the model: its file, or with `input.trimPaddingTo` its bytes with a variable height (a
 * model that cannot have one is an error naming it).
 */
export async function modelSource(model: LoadedModel): Promise<string | Uint8Array> {
  if (!model.manifest.input.trimPaddingTo) return model.modelPath;
  try {
    return flexibleHeight(await readFile(model.modelPath), model.manifest.input);
  } catch (err) {
    throw new Error(
      `model ${model.manifest.name} (${model.modelPath}): input.trimPaddingTo is set, but its height cannot be made variable: ${(err as Error).message}`,
    );
  }
}

export interface RunnerWorkerData {
  model: LoadedModel;
  cfg: DetectorConfig;
}

export type ToRunner = { id: number; input: Float32Array; rows: number };
export type FromRunner =
  | { type: 'ready' }
  | { type: 'fatal'; message: string }
  | { type: 'result'; id: number; input: Float32Array; outputs: Outputs; ms: number }
  | { type: 'error'; id: number; input: Float32Array; message: string };

interface Waiting {
  resolve(r: RunResult): void;
  reject(e: Error): void;
}

/**
 * The session in a thread of its own that does nothing but run the model: the thread that asks (preprocessing the
 * next region, decoding the last one) is never blocked by an inference, so with two runs handed over the model never
 * waits for its next input. Inputs and outputs travel by transfer, not copy. If the thread dies, every run in flight
 * fails and `onExit` is told; the runner is not restarted (its owner restarts the detector as a whole).
 */
export class ThreadRunner implements ModelRunner {
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private dead: Error | undefined;

  private constructor(private readonly worker: Worker) {}

  static open(model: LoadedModel, cfg: DetectorConfig, onExit: (err: Error) => void): Promise<ThreadRunner> {
    const worker = new Worker(bootstrap(new URL('./runner-worker.ts', import.meta.url)), {
      eval: true,
      name: 'jifang-ort',
      workerData: { model, cfg } satisfies RunnerWorkerData,
    });
    const runner = new ThreadRunner(worker);
    return new Promise<ThreadRunner>((resolve, reject) => {
      worker.on('message', (m: FromRunner) => {
        if (m.type === 'ready') return resolve(runner);
        if (m.type === 'fatal') return reject(new Error(m.message));
        const w = runner.waiting.get(m.id);
        if (!w) return;
        runner.waiting.delete(m.id);
        if (m.type === 'result') w.resolve({ outputs: m.outputs, input: m.input, ms: m.ms });
        else w.reject(new Error(m.message));
      });
      worker.on('exit', (code) => {
        const err = new Error(`ONNX Runtime thread exited (code ${code})`);
        runner.dead = err;
        reject(err);
        for (const w of runner.waiting.values()) w.reject(err);
        runner.waiting.clear();
        onExit(err);
      });
    });
  }

  run(input: Float32Array, rows: number): Promise<RunResult> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<RunResult>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, input, rows } satisfies ToRunner, [input.buffer as ArrayBuffer]);
    });
  }

  async release(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}
