/**
 * At most `concurrency` tasks at once, at most `queue` more waiting; `run` refuses (returns undefined without running
 * the task) when both are full. For password checks: each scrypt takes 32 MiB and ~0.1 s of a libuv thread, which
 * the file system shares.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly queue: number,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<{ value: T } | undefined> {
    if (this.active >= this.concurrency) {
      if (this.waiting.length >= this.queue) return undefined;
      await new Promise<void>((start) => this.waiting.push(start));
    } else this.active++;
    try {
      return { value: await task() };
    } finally {
      // The slot passes to the next waiting task as it is, or is given back.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
