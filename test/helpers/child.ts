import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';

export interface Started {
  proc: ChildProcess;
  /** Everything the process wrote so far (stdout + stderr), for failure messages. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Spawns a process and resolves once `ready` matches its output; rejects with its output on exit or timeout. */
export function startProcess(
  cmd: string,
  args: string[],
  ready: RegExp,
  opts: SpawnOptions & { timeoutMs?: number } = {},
): Promise<Started> {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  let out = '';
  const started: Started = {
    proc,
    output: () => out,
    stop: (signal = 'SIGTERM') =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill(signal);
      }),
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${cmd} not ready after ${opts.timeoutMs ?? 10_000} ms:\n${out}`));
    }, opts.timeoutMs ?? 10_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve(started);
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    proc.once('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} exited (${code ?? sig}) before it was ready:\n${out}`));
    });
  });
}
