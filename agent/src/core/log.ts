import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * One root logger; stages take a child with `{ stage }`, camera workers add `{ camera }`.
 * Quiet by default: info is for lifecycle (start, connect, alert), never per frame.
 */
export function createLogger(level: string = process.env.JIFANG_LOG_LEVEL ?? 'info', fd: 1 | 2 = 2): Logger {
  // stderr by default: stdout carries the one-line-per-alert console output of `jifang run`.
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ fd, sync: true }));
}

export const silentLogger: Logger = pino({ level: 'silent' });
