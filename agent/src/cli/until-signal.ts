import type { Logger } from '../core/log.ts';

/**
 * Keeps a long-running command alive until SIGINT or SIGTERM, then runs its clean shutdown once and resolves with the
 * exit code. A second signal while that shutdown hangs exits at once (130), as a user pressing Ctrl-C twice expects.
 */
export function untilSignal(log: Logger, shutdown: (signal: NodeJS.Signals) => Promise<unknown>): Promise<number> {
  return new Promise<number>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      if (++signals > 1) {
        log.warn({ signal }, 'second signal: exiting without a clean shutdown');
        process.exit(130);
      }
      shutdown(signal)
        .then(() => resolve(0))
        .catch((err: unknown) => {
          log.error({ err }, 'shutdown failed');
          resolve(1);
        });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
