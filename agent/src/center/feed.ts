import type { ServerResponse } from 'node:http';
import type { Logger } from '../core/log.ts';
import type { CenterStore, StoreChange } from './store/types.ts';
import { createStreams, DEFAULT_STREAM_LIMITS, type StreamLimits } from './streams.ts';
import type { BoxRow, EventRow } from './wire.ts';

/**
 * The console's live feed (server-sent events), pushed from what was just stored: this instance's batches as they
 * commit, the other instances' as PostgreSQL tells of them (each names the events and boxes it changed; the feed
 * reads those rows and sends what is new to it). Boxes, which change with every camera's health, go at most every
 * half second. It also says whether this center is connected to the broker and whether its archive takes writes
 * (on attach, on change and with every heartbeat): a page fed by a center that hears no box, or cannot store what
 * it hears, is not live.
 */
export interface Feed {
  /** Opens `user`'s stream; over the limits, throws a 503 or 429 that says which. */
  attach(res: ServerResponse, user: string): void;
  /** These rows were stored (by this instance or another): send them. */
  stored(c: StoreChange): void;
  /** Something was stored in a way that names no rows (an operator's action): send what changed lately. */
  kick(): void;
  /** Sends an event of another wing (patrol: order, unit, escalation) to every page. */
  broadcast(type: string, data: unknown): void;
  clients(): number;
  close(): void;
}

export interface FeedOptions {
  /** This instance's name: its own announcements come back from PostgreSQL, already sent. */
  instance?: string;
  /** How often the broker's and the archive's state are looked at. */
  watchMs?: number;
  heartbeatMs?: number;
  now?: () => number;
  brokerConnected?: () => boolean;
  /** Why the archive does not take writes, or null. */
  archiveProblem?: () => string | null;
  limits?: StreamLimits;
}

/** Boxes change with every camera's health: their rows are read and sent at most this often. */
const BOX_MS = 500;
/** Revisions remembered as sent: past this the oldest are forgotten (at worst such an event is sent once more). */
const MAX_REMEMBERED = 20_000;

export function createFeed(store: CenterStore, present: Presenters, log: Logger, opts: FeedOptions = {}): Feed {
  const now = opts.now ?? Date.now;
  const sent: Sent = { events: new Map(), boxes: new Map() };
  // A page that opens loads the lists itself: what was sent to pages now gone need not be remembered.
  const clients = createStreams<null>('live feed', opts.limits ?? DEFAULT_STREAM_LIMITS, log, () => {
    sent.events.clear();
    sent.boxes.clear();
  });
  const send = (type: string, data: unknown) => clients.send(frame(type, data));
  const states = watchStates(opts, send);
  const reads = changeReader(store, present, log, sent, send, now, () => clients.size() > 0);
  const unlisten = store.onChange((c) => {
    if (c === null) reads.since(now() - 60_000);
    else if (c.from !== opts.instance) reads.stored(c);
  });

  const timer = setInterval(states.watch, opts.watchMs ?? 250);
  const keepalive = setInterval(() => clients.send(states.frames()), opts.heartbeatMs ?? 15_000);
  timer.unref();
  keepalive.unref();

  return {
    attach(res, user) {
      clients.admit(res, user, null);
      res.write(states.frames());
    },
    stored: (c) => reads.stored(c),
    kick: () => reads.since(now() - 5_000),
    broadcast: send,
    clients: () => clients.size(),
    close() {
      unlisten();
      reads.close();
      clearInterval(timer);
      clearInterval(keepalive);
      clients.close();
    },
  };
}

/** The broker's and the archive's state as the pages see them: sent when they change, and with every heartbeat. */
function watchStates(opts: FeedOptions, send: (type: string, data: unknown) => void) {
  const brokerConnected = opts.brokerConnected ?? (() => true);
  const archiveProblem = opts.archiveProblem ?? (() => null);
  let broker = brokerConnected();
  let problem = archiveProblem();
  return {
    watch: () => {
      const b = brokerConnected();
      if (b !== broker) send('broker', { connected: (broker = b) });
      const p = archiveProblem();
      if (p !== problem) send('archive', { degraded: (problem = p) });
    },
    frames: () =>
      frame('broker', { connected: (broker = brokerConnected()) }) + frame('archive', { degraded: (problem = archiveProblem()) }),
  };
}

/**
 * Reads the rows a change names and sends what is new: events at once, boxes at most every BOX_MS. Events and boxes
 * are read apart, each one read at a time (what arrives meanwhile joins the next): an alert is never sent behind a
 * read of a city's boxes.
 */
function changeReader(
  store: CenterStore,
  present: Presenters,
  log: Logger,
  sent: Sent,
  send: (type: string, data: unknown) => void,
  now: () => number,
  wanted: () => boolean,
) {
  const events = new Map<string, { site: string; id: string }>();
  const sites = new Set<string>();
  let since: number | null = null;
  let boxTimer: NodeJS.Timeout | undefined;
  let lastBoxes = 0;
  const show = (changed: { events: EventRow[]; boxes: BoxRow[] }) => sendChanged(changed, sent, present, send);

  const readEvents = oneAtATime(log, async () => {
    while (events.size || since !== null) {
      const keys = [...events.values()];
      events.clear();
      const from = since;
      since = null;
      if (keys.length) show(await store.changed({ events: keys, sites: [] }));
      // Rows committed by another instance may carry a change time a little in the past: look back a few seconds.
      if (from !== null) show(await store.changedSince(from - 3_000));
    }
  });
  const readBoxes = oneAtATime(
    log,
    async () => {
      while (sites.size && now() - lastBoxes >= BOX_MS) {
        const c = { events: [], sites: [...sites] };
        sites.clear();
        lastBoxes = now();
        show(await store.changed(c));
      }
    },
    () => {
      if (!sites.size || boxTimer) return;
      boxTimer = setTimeout(() => {
        boxTimer = undefined;
        readBoxes();
      }, BOX_MS);
      boxTimer.unref();
    },
  );

  return {
    stored(c: StoreChange) {
      if (!wanted()) return;
      for (const k of c.events) events.set(`${k.site}\u0000${k.id}`, k);
      for (const s of c.sites) sites.add(s);
      if (events.size) readEvents();
      if (sites.size) readBoxes();
    },
    since(t: number) {
      if (!wanted()) return;
      since = Math.min(since ?? t, t);
      readEvents();
    },
    close: () => clearTimeout(boxTimer),
  };
}

/** Runs `read` unless it is running already (its loop takes what came meanwhile); then `after`. */
function oneAtATime(log: Logger, read: () => Promise<void>, after: () => void = () => {}): () => void {
  let busy = false;
  return () => {
    if (busy) return;
    busy = true;
    read()
      .catch((err: unknown) => log.warn({ err }, 'live feed read failed'))
      .finally(() => {
        busy = false;
        after();
      });
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
    sent.events.delete(e.id);
    sent.events.set(e.id, e.rev);
    if (sent.events.size > MAX_REMEMBERED) sent.events.delete(sent.events.keys().next().value as string);
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
