import type { ServerResponse } from 'node:http';
import type { Logger } from '../core/log.ts';
import { HttpError } from '../web/http-error.ts';

/** Bounds of one live channel (server-sent events): how many pages may listen, and how far one may fall behind. */
export interface StreamLimits {
  maxConnections: number;
  maxPerUser: number;
  /**
   * Bytes waiting for a page that does not read: a page past them for `slowMs` is dropped (its browser reconnects and
   * reloads). A burst (every box at once) may pass them for a moment while the page reads on.
   */
  maxBufferBytes: number;
  slowMs?: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = { maxConnections: 1000, maxPerUser: 10, maxBufferBytes: 4096 * 1024 };
const SLOW_MS = 5_000;

/** The limits as `http.streams` gives them. */
export const streamLimits = (c: { maxConnections: number; maxPerUser: number; maxBufferKilobytes: number }): StreamLimits => ({
  maxConnections: c.maxConnections,
  maxPerUser: c.maxPerUser,
  maxBufferBytes: c.maxBufferKilobytes * 1024,
});

/** Pages listening on one channel, each with its user and a tag (what it listens for). */
export interface Streams<T> {
  /** Opens the stream, or throws a 503 (the channel is full) or 429 (this user has too many open) saying so. */
  admit(res: ServerResponse, user: string, tag: T): void;
  /** Writes a frame to the pages whose tag `to` accepts (all by default); one too far behind is dropped instead. */
  send(frame: string, to?: (tag: T) => boolean): void;
  size(): number;
  close(): void;
}

/** A server-sent event stream, not buffered by a proxy on the way; a browser reconnects 2 s after losing it. */
export function openEventStream(res: ServerResponse): void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write('retry: 2000\n\n');
}

export function createStreams<T>(what: string, limits: StreamLimits, log: Logger, onEmpty: () => void = () => {}): Streams<T> {
  const clients = new Map<ServerResponse, { user: string; tag: T; overSince?: number }>();
  const perUser = new Map<string, number>();
  const leave = (res: ServerResponse) => {
    const c = clients.get(res);
    if (!c) return;
    clients.delete(res);
    const n = (perUser.get(c.user) ?? 1) - 1;
    if (n > 0) perUser.set(c.user, n);
    else perUser.delete(c.user);
    if (clients.size === 0) onEmpty();
  };
  const write = (res: ServerResponse, frame: string) => {
    const c = clients.get(res);
    if (!c) return;
    // A page that does not read (a suspended laptop, a stalled proxy) must not make the center hold all it missed.
    if (res.writableLength <= limits.maxBufferBytes) c.overSince = undefined;
    else if (c.overSince === undefined) c.overSince = Date.now();
    else if (Date.now() - c.overSince > (limits.slowMs ?? SLOW_MS)) {
      log.warn(
        { user: c.user, stream: what, buffered: res.writableLength, bound: limits.maxBufferBytes },
        'live stream dropped: the page does not read what it is sent (it reconnects and reloads)',
      );
      leave(res);
      res.destroy();
      return;
    }
    res.write(frame);
  };
  return {
    admit(res, user, tag) {
      const mine = perUser.get(user) ?? 0;
      if (mine >= limits.maxPerUser)
        throw new HttpError(
          429,
          `user ${user} already has ${mine} ${what} streams open (at most ${limits.maxPerUser}): close a page first`,
          undefined,
          { 'Retry-After': '30' },
        );
      if (clients.size >= limits.maxConnections)
        throw new HttpError(503, `the ${what} is full (${limits.maxConnections} open streams): try again later`, undefined, {
          'Retry-After': '30',
        });
      openEventStream(res);
      clients.set(res, { user, tag });
      perUser.set(user, mine + 1);
      res.on('close', () => leave(res));
    },
    send(frame, to) {
      for (const [res, c] of [...clients]) if (!to || to(c.tag)) write(res, frame);
    },
    size: () => clients.size,
    close() {
      for (const res of clients.keys()) res.end();
      clients.clear();
      perUser.clear();
    },
  };
}
