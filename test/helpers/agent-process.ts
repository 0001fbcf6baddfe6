import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { projectRoot } from './paths.ts';

export interface AgentProcess {
  proc: ChildProcess;
  /** Console lines (one per alert) printed so far. */
  lines: string[];
  /** Everything written to stderr (structured logs), for failure messages. */
  stderr(): string;
  /** Sends `signal` and resolves with the exit code (or the signal when killed). */
  stop(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals>;
}

/**
 * Writes `config` as YAML into `dir` (a string is written as it is: a config with comments) and runs the real CLI on
 * it: `node bin/jifang.mjs run config.yaml`.
 */
export function runAgent(dir: string, config: unknown, env: Record<string, string> = {}): AgentProcess {
  const file = join(dir, 'config.yaml');
  writeFileSync(file, typeof config === 'string' ? config : stringify(config));
  const proc = spawn(process.execPath, [join(projectRoot, 'bin', 'jifang.mjs'), 'run', file], {
    cwd: dir,
    env: { ...process.env, JIFANG_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let err = '';
  let partial = '';
  proc.stdout!.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  });
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | NodeJS.Signals>((resolve) => proc.once('exit', (code, sig) => resolve(code ?? sig!)));
  return {
    proc,
    lines,
    stderr: () => err,
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}
