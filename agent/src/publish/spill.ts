import { closeSync, fdatasyncSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { z } from 'zod';
import { sha256Hex } from '../core/hash.ts';
import type { Logger } from '../core/log.ts';
import type { NewOutboxMessage } from './outbox.ts';

const MAGIC = 'jifang.held/1';

const recordSchema = z.strictObject({
  kind: z.enum(['event', 'snapshot']),
  camera: z.string(),
  eventId: z.string(),
  state: z.string().optional(),
  topic: z.string(),
  properties: z.record(z.string(), z.unknown()),
  payload: z.string(),
  publication: z.number().int().optional(),
});

/**
 * Room set aside on disk, while the disk has it, for the alerts a full disk keeps out of the outbox: a file written
 * full once at start, then only overwritten in place (no new block is needed, so a full disk takes the write). Two
 * halves take turns, each headed by a generation and the SHA-256 of its content, so a kill in the middle of a write
 * leaves the previous one whole. What does not fit stays in memory only.
 */
export class HeldSpill {
  private generation = 0;

  private constructor(
    private readonly fd: number,
    private readonly half: number,
    private readonly log: Logger,
  ) {}

  /** Opens (and, the first time, reserves) `bytes` at `path`; undefined when they cannot be had (said in the log). */
  static open(path: string, bytes: number, log: Logger): HeldSpill | undefined {
    if (bytes <= 0) return undefined;
    let fd: number | undefined;
    try {
      fd = openSync(path, 'a+', 0o600);
      closeSync(fd);
      fd = openSync(path, 'r+');
      const size = fstatSync(fd).size;
      if (size < bytes) {
        const zeros = Buffer.alloc(Math.min(1 << 20, bytes - size));
        for (let at = size; at < bytes; at += zeros.length) writeSync(fd, zeros, 0, Math.min(zeros.length, bytes - at), at);
        fdatasyncSync(fd);
      }
      const spill = new HeldSpill(fd, Math.floor(Math.max(size, bytes) / 2), log);
      spill.generation = Math.max(spill.readHalf(0)?.generation ?? 0, spill.readHalf(1)?.generation ?? 0);
      return spill;
    } catch (err) {
      if (fd !== undefined) closeSync(fd);
      log.error({ file: path, bytes, err }, 'no room reserved for alerts held on a full disk: they are kept in memory only');
      return undefined;
    }
  }

  /** The alerts last written, in order (none after a clean run). */
  load(): NewOutboxMessage[] {
    const halves = [this.readHalf(0), this.readHalf(1)].filter((h) => h !== undefined);
    const latest = halves.sort((a, b) => b.generation - a.generation)[0];
    return latest?.items ?? [];
  }

  /**
   * Writes `items` (in order, as many as fit) durably before returning; returns how many fit. Synchronous on purpose:
   * an alert is acknowledged as queued only once it is on disk.
   */
  save(items: readonly NewOutboxMessage[]): number {
    const records: string[] = [];
    let used = 0;
    for (const item of items) {
      const line = JSON.stringify({ ...item, payload: item.payload.toString('base64') });
      if (used + Buffer.byteLength(line) + 1 > this.half - 200) break;
      records.push(line);
      used += Buffer.byteLength(line) + 1;
    }
    const body = records.join('\n');
    const next = this.generation + 1;
    const head = `${MAGIC} ${next} ${Buffer.byteLength(body)} ${sha256Hex(Buffer.from(body))}\n`;
    const buf = Buffer.from(head + body);
    writeSync(this.fd, buf, 0, buf.length, (next % 2) * this.half);
    fdatasyncSync(this.fd);
    this.generation = next;
    if (records.length < items.length)
      this.log.warn(
        { held: items.length, onDisk: records.length },
        'the room reserved for held alerts is full: the newest are held in memory only',
      );
    return records.length;
  }

  close(): void {
    closeSync(this.fd);
  }

  private readHalf(k: 0 | 1): { generation: number; items: NewOutboxMessage[] } | undefined {
    const buf = Buffer.alloc(this.half);
    const n = readSync(this.fd, buf, 0, this.half, k * this.half);
    const text = buf.subarray(0, n);
    const nl = text.indexOf(10);
    const m =
      nl > 0 ? new RegExp(`^${MAGIC.replace('.', '\\.')} (\\d+) (\\d+) ([0-9a-f]{64})$`).exec(text.subarray(0, nl).toString()) : null;
    if (!m) return undefined;
    const body = text.subarray(nl + 1, nl + 1 + Number(m[2]));
    if (body.length !== Number(m[2]) || sha256Hex(body) !== m[3]) return undefined;
    const items = body
      .toString()
      .split('\n')
      .filter((l) => l.length > 0)
      .flatMap((l) => {
        const r = recordSchema.safeParse(JSON.parse(l));
        return r.success
          ? [{ ...r.data, properties: r.data.properties, payload: Buffer.from(r.data.payload, 'base64') } as NewOutboxMessage]
          : [];
      });
    return { generation: Number(m[1]), items };
  }
}
