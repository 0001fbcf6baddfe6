import { statfsSync } from 'node:fs';
import type { Logger } from '../core/log.ts';
import { metadataOf, type NewOutboxMessage, type OutboxDrop, type OutboxMessage } from './outbox.ts';
import type { HeldSpill } from './spill.ts';

/** One alert the outbox could not take. */
export interface Held {
  item: NewOutboxMessage;
  /** As a delivery reports it: a negative id, since it has no outbox row. */
  message: OutboxMessage;
  /** Handed to the MQTT client, awaiting PUBACK. */
  sent: boolean;
}

/** Alerts held in memory at most (a few MB of JSON); past this the oldest `updated` goes first, then the oldest. */
export const MAX_HELD = 2000;
const RETRY_MS = 2000;
/** Free space that counts as "the disk takes writes again" when no held alert is left to try. */
const PROBE_FREE_BYTES = 1024 * 1024;

/**
 * The alerts a full disk kept out of the outbox: held in memory in order, sent from there, and written to the outbox
 * as soon as it takes them again (retried every 2 s). Snapshot JPEGs are not held: evidence is shed before alerts,
 * and the alert still carries the snapshot's hash and its thumbnail. With a spill (room reserved on disk at start)
 * every change of the list is on disk before the call returns, so held alerts outlive a kill.
 */
export class HeldAlerts {
  private list: Held[] = [];
  private failing: { since: number; reason: string } | undefined;
  private dropped = 0;
  private next = 1;
  private timer: NodeJS.Timeout | undefined;
  private spilled = 0;

  constructor(
    private readonly dir: string,
    private readonly log: Logger,
    private readonly report: (d: OutboxDrop) => void,
    private readonly spill?: HeldSpill,
  ) {}

  static isDiskFull(err: unknown): boolean {
    const code = (err as { code?: unknown })?.code;
    return (
      code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL' || (typeof code === 'string' && code.startsWith('SQLITE_IOERR'))
    );
  }

  get count(): number {
    return this.list.length;
  }

  /** Held and not handed to the MQTT client: these must go before any new alert. */
  get waiting(): number {
    return this.unsent().length;
  }

  unsent(): Held[] {
    return this.list.filter((h) => !h.sent);
  }

  get degraded(): string | undefined {
    if (!this.failing) return undefined;
    return `disk full: the outbox in ${this.dir} refuses writes (${this.failing.reason}) since ${new Date(this.failing.since).toISOString()}; ${this.list.length} alerts held in memory (at most ${MAX_HELD}), ${this.dropped} dropped`;
  }

  hold(items: NewOutboxMessage[], err: NodeJS.ErrnoException | undefined, retry: () => void): void {
    const now = Date.now();
    if (err) this.stillFull(err);
    for (const item of items) {
      if (item.kind === 'snapshot') {
        this.drop(item, 'the disk is full: the snapshot JPEG is not queued (the alert carries its hash and thumbnail)', now);
        continue;
      }
      const id = -this.next++;
      this.list.push({
        item,
        sent: false,
        message: { id, ...metadataOf(item, now) },
      });
    }
    while (this.list.length > MAX_HELD) {
      const victim = this.list.find((h) => !h.sent && h.item.state === 'updated') ?? this.list.find((h) => !h.sent);
      if (!victim) break;
      this.list = this.list.filter((h) => h !== victim);
      this.drop(victim.item, `the disk is full and ${MAX_HELD} alerts are already held in memory`, now);
    }
    this.persist();
    if (!this.timer) {
      this.timer = setInterval(retry, RETRY_MS);
      this.timer.unref();
    }
  }

  /** What a previous run left on the reserved room (its held alerts when it was killed), to be queued again. */
  takeSpilled(): NewOutboxMessage[] {
    const items = this.spill?.load() ?? [];
    this.spilled = items.length;
    return items;
  }

  /** The held alerts onto the reserved room (as many as fit), before the caller hears they are queued. */
  private persist(): void {
    if (!this.spill || (this.list.length === 0 && this.spilled === 0)) return;
    try {
      this.spilled = this.spill.save(this.list.map((h) => h.item));
    } catch (err) {
      this.log.error({ dir: this.dir, err }, 'held alerts not written to the reserved room: a kill now loses them');
    }
  }

  stillFull(err: NodeJS.ErrnoException): void {
    const reason = `${err.code ?? 'error'}: ${err.message}`;
    if (!this.failing) {
      this.log.error(
        { dir: this.dir, err: reason },
        'outbox write failed: alerts are held in memory, sent from there, and written when the disk takes them',
      );
      this.failing = { since: Date.now(), reason };
    }
  }

  /** The outbox took a write. */
  writable(): void {
    if (!this.failing || this.list.length > 0) return;
    this.log.warn({ dir: this.dir, since: new Date(this.failing.since).toISOString(), dropped: this.dropped }, 'outbox writing again');
    this.failing = undefined;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** These held alerts are in the outbox now: the outbox sends them. */
  written(items: readonly Held[]): void {
    const moved = new Set(items);
    this.list = this.list.filter((h) => !moved.has(h));
    this.persist();
    this.writable();
  }

  delivered(h: Held): void {
    this.list = this.list.filter((x) => x !== h);
    this.persist();
    this.probe();
  }

  /** Nothing left to write: free space says whether the disk takes writes again. */
  probe(): void {
    if (!this.failing || this.list.length > 0) return;
    try {
      const s = statfsSync(this.dir);
      if (s.bavail * s.bsize >= PROBE_FREE_BYTES) this.writable();
    } catch {
      // Still failing: the next alert or retry tells.
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    const lost = this.list.length - this.spilled;
    if (lost > 0)
      this.log.error(
        { alerts: lost, dir: this.dir },
        'stopped with alerts held in memory that the full disk never took and the reserved room could not: they are lost',
      );
    else if (this.list.length > 0)
      this.log.warn({ alerts: this.list.length, dir: this.dir }, 'stopped with alerts held on the reserved room: queued at the next start');
    this.spill?.close();
  }

  private drop(item: NewOutboxMessage, detail: string, at: number): void {
    this.dropped++;
    this.log.warn({ camera: item.camera, eventId: item.eventId, kind: item.kind, detail }, 'outbox dropped a message');
    this.report({
      reason: 'full',
      detail,
      at,
      message: { id: null, ...metadataOf(item, at) },
    });
  }
}
