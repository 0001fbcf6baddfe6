/*
 * The phone's outbox, as pure rules: what the officer did waits here until the center has it. Items go strictly in
 * the order they were made (a photo before the "handled" it belongs to, "accept" before "arrived"), one at a time,
 * each with the clientId the center de-duplicates by, so a retry after a lost answer counts once.
 */

export type PhoneAction = 'accept' | 'arrive' | 'handle';
export const OUTCOMES = ['corrected', 'warned', 'penalty', 'not_found', 'referred'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface Where {
  lon: number;
  lat: number;
  accuracyM?: number;
}

interface ItemBase {
  /** Position in the queue: strictly increasing as the officer acts. */
  seq: number;
  /** Made on the phone (UUID); the center counts a retried item once by it. */
  clientId: string;
  orderId: string;
  /** When the officer did it (ms). */
  madeAt: number;
  attempts: number;
  /** The last failure in words, shown while it waits. */
  lastError?: string;
  /** The center refused it for good (409, 403, 404, 400): shown, no longer sent. */
  refused?: boolean;
}

export interface TransitionItem extends ItemBase {
  kind: 'transition';
  action: PhoneAction;
  outcome?: Outcome;
  note?: string;
  where?: Where;
}

export interface PhotoItem extends ItemBase {
  kind: 'photo';
  /** The compressed JPEG (a Blob in the browser; stored as is in IndexedDB). */
  jpeg: Blob;
  bytes: number;
}

export type OutboxItem = TransitionItem | PhotoItem;

/** The next item to send: the oldest not refused. Later items wait behind it, whatever their kind or order. */
export function nextToSend(items: readonly OutboxItem[]): OutboxItem | undefined {
  let best: OutboxItem | undefined;
  for (const i of items) if (!i.refused && (best === undefined || i.seq < best.seq)) best = i;
  return best;
}

/** What an answer means for the item that was sent. */
export type Verdict = 'sent' | 'retry' | 'login' | 'refused';

/**
 * `status` is the HTTP status, or null when no answer came (offline, dead zone, timeout). A 409 means the order is no
 * longer where this action applies (reassigned, closed): retrying cannot help, so it is shown and dropped from the line.
 */
export function verdictOf(status: number | null): Verdict {
  if (status === null || status >= 500 || status === 408 || status === 429) return 'retry';
  if (status >= 200 && status < 300) return 'sent';
  if (status === 401) return 'login';
  return 'refused';
}

/** Waiting before the next try: 1 s doubling to 30 s, so a phone in a dead zone does not drain its battery. */
export function retryDelayMs(attempts: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, attempts - 1));
}

const AFTER: Record<PhoneAction, string> = { accept: 'accepted', arrive: 'on_scene', handle: 'handled' };

/** The order's state as the officer sees it: the center's, moved on by his own actions still waiting to be sent. */
export function shownState(serverState: string, orderId: string, items: readonly OutboxItem[]): string {
  let state = serverState;
  for (const i of [...items].sort((a, b) => a.seq - b.seq))
    if (i.orderId === orderId && i.kind === 'transition' && !i.refused) state = AFTER[i.action];
  return state;
}
