import type { ServerResponse } from 'node:http';
import type { Logger } from '../core/log.ts';
import type { CenterStore } from './store/types.ts';
import type { BoxRow, EventRow } from './wire.ts';

/**
 * The console's live feed (server-sent events). The archive is the source: several instances write to one database,
 * so each polls for rows changed lately (and at once when it stored something itself) and sends what is new to it.
 * It also says whether this center is connected to the broker (on attach, on change and with every heartbeat): a page
 * fed by a center that hears no box is not live.
 */
export interface Feed {
  attach(res: ServerResponse): void;
  /** Something was stored here: look now rather than at the next poll. */
  kick(): void;
  /** Sends an event of another wing (patrol: order, unit, escalation) to every page. */
  broadcast(type: string, data: unknown): void;
  clients(): number;
  close(): void;
}

export function createFeed(
  store: CenterStore,
  present: Presenters,
  log: Logger,
  opts: { pollMs?: number; heartbeatMs?: number; now?: () => number; brokerConnected?: () => boolean } = {},
): Feed {
  const now = opts.now ?? Date.now;
  const pollMs = opts.pollMs ?? 250;
  const brokerConnected = opts.brokerConnected ?? (() => true);
  let brokerSent = brokerConnected();
  const clients = new Set<ServerResponse>();
  const sent: Sent = { events: new Map(), boxes: new Map() };

  const send = (type: string, data: unknown) => {
    const f = frame(type, data);
    for (const res of clients) res.write(f);
  };
  const brokerFrame = () => frame('broker', { connected: brokerSent });
  const watchBroker = () => {
    const connected = brokerConnected();
    if (connected === brokerSent) return;
    brokerSent = connected;
    send('broker', { connected });
  };

  const poll = archivePoller(
    async (since) => sendChanged(await store.changedSince(since), sent, present, send),
    now,
    (err) => log.warn({ err }, 'live feed poll failed'),
  );

  const timer = setInterval(() => {
    watchBroker();
    if (clients.size) void poll();
  }, pollMs);
  const keepalive = setInterval(() => {
    brokerSent = brokerConnected();
    for (const res of clients) res.write(brokerFrame());
  }, opts.heartbeatMs ?? 15_000);
  timer.unref();
  keepalive.unref();

  return {
    attach(res) {
      openEventStream(res);
      res.write(brokerFrame());
      clients.add(res);
      res.on('close', () => clients.delete(res));
    },
    kick: () => {
      if (clients.size) void poll();
    },
    broadcast: send,
    clients: () => clients.size,
    close() {
      clearInterval(timer);
      clearInterval(keepalive);
      for (const res of clients) res.end();
      clients.clear();
    },
  };
}

type Presenters = { event: (e: EventRow) => unknown; box: (b: BoxRow) => unknown };
/** What this instance has sent: an event's revision, a box's change time. */
type Sent = { events: Map<string, number>; boxes: Map<string, number> };

export const frame = (type: string, data: unknown) => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;

/** Sends the rows this instance has not sent yet at their revision (another instance's rows come here too). */
function sendChanged(
  changed: { events: EventRow[]; boxes: BoxRow[] },
  sent: Sent,
  present: Presenters,
  send: (type: string, data: unknown) => void,
): void {
  for (const e of changed.events) {
    if ((sent.events.get(e.id) ?? -1) >= e.rev) continue;
    sent.events.set(e.id, e.rev);
    send('event', present.event(e));
  }
  for (const b of changed.boxes) {
    if ((sent.boxes.get(b.site) ?? -1) >= b.changedAt) continue;
    sent.boxes.set(b.site, b.changedAt);
    send('box', present.box(b));
  }
}

/**
 * A poll of the archive for rows changed since the last look. It looks a few seconds further back, since rows
 * committed by another instance may carry a change time a little in the past; a call during a poll makes it look
 * once more when done.
 */
export function archivePoller(
  look: (since: number) => Promise<void>,
  now: () => number,
  onError: (err: unknown) => void,
): () => Promise<void> {
  let since = now() - 5_000;
  let busy = false;
  let again = false;
  return async () => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      do {
        again = false;
        const started = now();
        await look(since - 3_000);
        since = started;
      } while (again);
    } catch (err) {
      onError(err);
    } finally {
      busy = false;
    }
  };
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
