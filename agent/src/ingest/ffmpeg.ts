import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { setPriority } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import type { Readable } from 'node:stream';
import { redact } from '../core/redact.ts';
import { hideCredentials } from './private-input.ts';
import { reasonFromStderr } from './stderr.ts';

/**
 * The one way the agent runs ffmpeg and ffprobe: ingest, the evidence ring, frame grabs and clip cutting all come
 * here. It only spawns: command lines are built by pure functions beside each caller (`args.ts`, `ringArgs` …).
 */

/** `FFMPEG_PATH` / `FFPROBE_PATH` when set (a custom build with hardware decoders), else the ones on PATH. */
export function ffmpegBinary(tool: 'ffmpeg' | 'ffprobe' = 'ffmpeg'): string {
  return (tool === 'ffmpeg' ? process.env.FFMPEG_PATH : process.env.FFPROBE_PATH) || tool;
}

/** util-linux's setpriv: makes the kernel kill ffmpeg when the agent dies, even by `kill -9` or a crash. */
const SETPRIV = '/usr/bin/setpriv';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The binary as the shell would find it, or undefined. */
function resolveBinary(name: string): string | undefined {
  if (isAbsolute(name) || name.includes('/')) return executable(name) ? name : undefined;
  return (process.env.PATH ?? '')
    .split(delimiter)
    .map((dir) => join(dir, name))
    .find(executable);
}

export interface FfmpegExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The process could not be started (binary missing, not executable). */
  spawnError?: Error;
}

export interface FfmpegOptions {
  tool?: 'ffmpeg' | 'ffprobe';
  /** Pipe stdout to the caller (frames, a grabbed picture, ffprobe's answer); otherwise it is discarded. */
  stdout?: boolean;
  /** Called for every stderr line as it arrives. */
  onStderrLine?: (line: string) => void;
  /** Lines that are neither kept nor passed on (per-frame chatter at verbose log levels). */
  ignoreStderr?: (line: string) => boolean;
  /** stderr lines kept for explaining a failure. */
  keepStderr?: number;
  /** Lower the child's priority (clip encoding must not take cores from detection). */
  nice?: number;
}

export interface FfmpegProcess {
  readonly startedAt: number;
  readonly stdout: Readable | null;
  /** The last `keepStderr` lines. */
  readonly stderr: readonly string[];
  readonly exited: Promise<FfmpegExit>;
  readonly running: boolean;
  kill(signal?: 'SIGTERM' | 'SIGKILL'): void;
  /** SIGTERM (an RTSP client then sends TEARDOWN: cameras allow few sessions), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<FfmpegExit>;
}

/**
 * Starts ffmpeg in its own process group, so Ctrl-C in a terminal reaches only the agent, which stops its children in
 * order instead of having them die mid-write and print warnings.
 */
export function startFfmpeg(args: readonly string[], opts: FfmpegOptions = {}): FfmpegProcess {
  const keep = opts.keepStderr ?? 40;
  const stderr: string[] = [];
  const binary = ffmpegBinary(opts.tool);
  const resolved = resolveBinary(binary);
  // Camera passwords go through pipes, never on the command line (see private-input.ts).
  const hidden = hideCredentials(args);
  // Without a parent-death signal a `kill -9` of the agent would leave the ring's ffmpeg recording for ever.
  const [cmd, argv] =
    resolved && executable(SETPRIV)
      ? [SETPRIV, ['--pdeathsig', 'KILL', '--', resolved, ...hidden.args]]
      : [resolved ?? binary, hidden.args];
  const child: ChildProcess = spawn(cmd, argv, {
    stdio: ['ignore', opts.stdout ? 'pipe' : 'ignore', 'pipe', ...hidden.pipes.map(() => 'pipe' as const)],
    detached: true,
  });
  hidden.pipes.forEach((text, k) => {
    const pipe = child.stdio[3 + k] as NodeJS.WritableStream | null;
    // A process that dies before reading its list closes the pipe: its exit tells why.
    pipe?.on('error', () => {});
    pipe?.end(text);
  });
  let running = child.pid !== undefined;
  if (opts.nice && child.pid) {
    try {
      setPriority(child.pid, opts.nice);
    } catch {
      // Not permitted in some containers: the work is still done, at normal priority.
    }
  }
  let partial = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    const lines = (partial + chunk).split(/\r?\n|\r/);
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '' || opts.ignoreStderr?.(line)) continue;
      opts.onStderrLine?.(line);
      stderr.push(line);
      if (stderr.length > keep) stderr.shift();
    }
  });
  const exited = new Promise<FfmpegExit>((resolve) => {
    child.once('error', (err) => {
      running = false;
      resolve({ code: null, signal: null, spawnError: err });
    });
    child.once('close', (code, signal) => {
      running = false;
      if (partial) {
        opts.onStderrLine?.(partial);
        stderr.push(partial);
      }
      resolve({ code, signal });
    });
  });
  const kill = (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    if (running) child.kill(signal);
  };
  return {
    startedAt: Date.now(),
    stdout: child.stdout,
    stderr,
    exited,
    get running() {
      return running;
    },
    kill,
    async stop(graceMs = 2000) {
      kill('SIGTERM');
      const force = setTimeout(() => kill('SIGKILL'), graceMs);
      const exit = await exited;
      clearTimeout(force);
      return exit;
    },
  };
}

/** Why a run failed, in an installer's words: ffmpeg's own messages translated, the binary missing named. */
export function failureReason(p: Pick<FfmpegProcess, 'stderr' | 'startedAt'>, exit: FfmpegExit, timeoutMs: number): string | undefined {
  if (exit.spawnError)
    return `${exit.spawnError.message.includes('ENOENT') ? 'ffmpeg not found' : `cannot run ffmpeg (${exit.spawnError.message})`}: install ffmpeg or set FFMPEG_PATH`;
  return reasonFromStderr(p.stderr, { elapsedMs: Date.now() - p.startedAt, timeoutMs });
}

export class FfmpegError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FfmpegError';
  }
}

/**
 * Runs ffmpeg or ffprobe to completion and resolves with its stdout; rejects with the translated reason (or the last
 * stderr lines) when it fails or outlives `timeoutMs`.
 */
export async function runFfmpeg(args: readonly string[], opts: FfmpegOptions & { timeoutMs?: number } = {}): Promise<Buffer> {
  const p = startFfmpeg(args, { ...opts, stdout: true });
  const out: Buffer[] = [];
  p.stdout!.on('data', (d: Buffer) => out.push(d));
  let timedOut = false;
  const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => ((timedOut = true), p.kill('SIGKILL')), opts.timeoutMs);
  const exit = await p.exited;
  clearTimeout(timer);
  if (timedOut) throw new FfmpegError(`no answer within ${opts.timeoutMs} ms`);
  if (exit.code === 0) return Buffer.concat(out);
  const reason = failureReason(p, exit, opts.timeoutMs ?? Infinity);
  throw new FfmpegError(reason ?? `${opts.tool ?? 'ffmpeg'} exited ${exit.code ?? exit.signal}: ${redact(p.stderr.slice(-3).join(' | '))}`);
}
