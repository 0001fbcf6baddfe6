import type { Frame } from '../ingest/frame.ts';

/** Holds at most one frame: the newest. Nothing ever queues behind the analysis. */
export class LatestFrameSlot {
  private frame: Frame | undefined;

  /** Stores `f`; returns the unprocessed frame it replaced (a skipped frame), if any. */
  put(f: Frame): Frame | undefined {
    const replaced = this.frame;
    this.frame = f;
    return replaced;
  }

  take(): Frame | undefined {
    const f = this.frame;
    this.frame = undefined;
    return f;
  }

  peek(): Frame | undefined {
    return this.frame;
  }
}
