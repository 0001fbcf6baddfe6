import { statfs } from 'node:fs/promises';
import type { Logger } from '../core/log.ts';

/** Free space is read at most this often: snapshots come in bursts. */
const CHECK_MS = 1000;

/**
 * Keeps room on the data disk for what must not be lost: below `reserveBytes` free, snapshots and clips are skipped
 * (the alert goes without them, its thumbnail inline) so the outbox and the audit log can still write.
 */
export class DiskReserve {
  private checkedAt = -Infinity;
  private free = Infinity;
  private shed = { snapshots: 0, clips: 0 };
  private since: number | undefined;

  constructor(
    private readonly path: string,
    private readonly reserveBytes: number,
    private readonly log: Logger,
    private readonly freeBytes: (path: string) => Promise<number> = async (p) => {
      const s = await statfs(p);
      return s.bavail * s.bsize;
    },
  ) {}

  /** Throws (the evidence is shed) while the disk has less free space than the reserve. */
  async admit(kind: 'snapshots' | 'clips'): Promise<void> {
    const now = Date.now();
    if (now - this.checkedAt >= CHECK_MS) {
      this.checkedAt = now;
      this.free = await this.freeBytes(this.path).catch(() => this.free);
    }
    if (this.free >= this.reserveBytes) {
      if (this.since !== undefined) {
        this.log.warn({ ...this.shed, freeMegabytes: mb(this.free) }, 'evidence stored again: the disk has room above its reserve');
        this.since = undefined;
        this.shed = { snapshots: 0, clips: 0 };
      }
      return;
    }
    this.shed[kind]++;
    if (this.since === undefined) {
      this.since = now;
      this.log.error(
        { freeMegabytes: mb(this.free), reserveMegabytes: mb(this.reserveBytes) },
        'disk nearly full: evidence is shed so alerts keep their room',
      );
    }
    throw new Error(`${this.describe()}: this ${kind === 'snapshots' ? 'snapshot' : 'clip'} is not stored`);
  }

  /** `disk full: evidence shed …` with the figures while shedding; undefined otherwise. */
  get degraded(): string | undefined {
    return this.since === undefined ? undefined : this.describe();
  }

  private describe(): string {
    return `disk full: evidence shed since ${new Date(this.since!).toISOString()}, ${mb(this.free)} MB free on ${this.path} below the reserve of ${mb(this.reserveBytes)} MB (${this.shed.snapshots} snapshots, ${this.shed.clips} clips not stored)`;
  }
}

function mb(bytes: number): number {
  return Math.round((bytes / 1_048_576) * 10) / 10;
}
