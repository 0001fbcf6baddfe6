import type { ConfigProblem } from '../core/errors.ts';

/** An answer other than success, with words for the person at the browser; `problems` go beside their fields. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problems?: ConfigProblem[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
