import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * One root logger; stages take a child with `{ stage }`, camera workers add `{ camera }`.
 * Quiet by default: info is for lifecycle (start, connect, alert), never per frame.
 */
export function createLogger(level: string = process.env.JIFANG_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime });
}

export const silentLogger: Logger = pino({ level: 'silent' });
