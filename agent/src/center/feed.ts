import type { ServerResponse } from 'node:http';
import type { Logger } from '../core/log.ts';
import type { CenterStore } from './store/types.ts';
import type { BoxRow, EventRow } from './wire.ts';

/**
 * The console's live feed (server-sent events). The archive is the source: several instances write to one database,
 * so each polls for rows changed lately (and at once when it stored something itself) and sends what is new to it.
 */
export interface Feed {
  attach(res: ServerResponse): void;
  /** Something was stored here: look now rather than at the next poll. */
  kick(): void;
  clients(): number;
  close(): void;
}

export function createFeed(
  store: CenterStore,
  present: { event: (e: EventRow) => unknown; box: (b: BoxRow) => unknown },
  log: Logger,
  opts: { pollMs?: number; now?: () => number } = {},
): Feed {
  const now = opts.now ?? Date.now;
  const pollMs = opts.pollMs ?? 250;
  const clients = new Set<ServerResponse>();
  const sentEvents = new Map<string, number>();
  const sentBoxes = new Map<string, number>();
  let since = now() - 5_000;
  let busy = false;
  let again = false;

  const send = (type: string, data: unknown) => {
    const frame = `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of clients) res.write(frame);
  };

  const poll = async () => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      do {
        again = false;
        const started = now();
        // Rows committed by another instance may carry a change time a little in the past: look back a few seconds.
        const { events, boxes } = await store.changedSince(since - 3_000);
        since = started;
        for (const e of events) {
          if ((sentEvents.get(e.id) ?? -1) >= e.rev) continue;
          sentEvents.set(e.id, e.rev);
          send('event', present.event(e));
        }
        for (const b of boxes) {
          if ((sentBoxes.get(b.site) ?? -1) >= b.changedAt) continue;
          sentBoxes.set(b.site, b.changedAt);
          send('box', present.box(b));
        }
      } while (again);
    } catch (err) {
      log.warn({ err }, 'live feed poll failed');
    } finally {
      busy = false;
    }
  };

  const timer = setInterval(() => {
    if (clients.size) void poll();
  }, pollMs);
  const keepalive = setInterval(() => {
    for (const res of clients) res.write(': keep-alive\n\n');
  }, 15_000);
  timer.unref();
  keepalive.unref();

  return {
    attach(res) {
      openEventStream(res);
      clients.add(res);
      res.on('close', () => clients.delete(res));
    },
    kick: () => {
      if (clients.size) void poll();
    },
    clients: () => clients.size,
    close() {
      clearInterval(timer);
      clearInterval(keepalive);
      for (const res of clients) res.end();
      clients.clear();
    },
  };
}

/** A server-sent event stream, not buffered by a proxy on the way; a browser reconnects 2 s after losing it. */
function openEventStream(res: ServerResponse): void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write('retry: 2000\n\n');
}
