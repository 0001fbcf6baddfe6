import type { CameraHealth, Status } from '../contract/health.ts';
import { classifyWriteError, type WriteFailure } from './store/errors.ts';
import type { CenterStore, IngestWrites, StoreChange } from './store/types.ts';

/** Messages per transaction at most (the broker is allowed twice as many unacknowledged: link.ts). */
export const MAX_BATCH = 256;

/** What one stored message changes, done once its transaction has committed: counters, logs, the live feed. */
export interface Effect {
  after?: () => void;
  /** Awaited once the transaction has committed and before the message is acknowledged (never throws). */
  archived?: () => Promise<void>;
  events?: StoreChange['events'];
  sites?: string[];
}

/** A message judged storable: its own write, or its part in the batch's latest status of a box and health of cameras. */
export type Storable =
  /**
   * `contact`: the site whose box this message is a contact of (an alert counts; a snapshot, its alert's, does not).
   * `blob`: bytes its write keeps beside the rows, put on disk (synced) with the batch's others before the transaction.
   */
  | { kind: 'write'; run: (w: IngestWrites) => Promise<Effect>; contact?: { site: string; at: number }; blob?: Buffer }
  | { kind: 'status'; site: string; status: Status; at: number }
  | { kind: 'health'; site: string; health: CameraHealth; at: number };

export interface Queued {
  topic: string;
  payload: Buffer;
  storable: Storable;
  receivedAt: number;
}

/** Writes of a batch, each standing for one or more messages; a refused one made of several is tried again one by one. */
interface Unit {
  members: Queued[];
  write: (w: IngestWrites) => Promise<Effect>;
  deadLetter?: true;
}

/** A refused message kept whole in the dead letters, in the transaction of the batch it came in. */
export type DeadLetterEffect = (q: Queued, f: WriteFailure, id: number) => Effect;

/** The write of one storable message on its own (a replay, a message isolated from its batch). */
export function writeOne(s: Storable): (w: IngestWrites) => Promise<Effect> {
  switch (s.kind) {
    case 'write': {
      const { contact } = s;
      return contact ? async (w) => (await w.saveContacts([], [contact]), s.run(w)) : s.run;
    }
    case 'status':
      return async (w) => (await w.saveStatuses([{ site: s.site, status: s.status, receivedAt: s.at }]), { sites: [s.site] });
    case 'health':
      return async (w) => (await w.saveContacts([{ site: s.site, health: s.health, receivedAt: s.at }], []), { sites: [s.site] });
  }
}

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The writes of a batch. First every box's contact and the cameras' health, in one sorted pass (the latest health
 * per camera); then the boxes' statuses in another, each box's latest (the last to arrive is the truth); then one
 * write per other message, sorted by topic so two instances take row locks in the same order.
 */
function unitsOf(batch: readonly Queued[], alone: ReadonlySet<Queued>, refused: ReadonlyMap<Queued, Unit>): Unit[] {
  const statuses: Queued[] = [];
  const health: Queued[] = [];
  const single: Queued[] = [];
  const contacts: { site: string; at: number }[] = [];
  for (const q of batch) {
    const s = q.storable;
    if (s.kind === 'write' && s.contact) contacts.push(s.contact);
    if (refused.has(q) || alone.has(q) || s.kind === 'write') single.push(q);
    else if (s.kind === 'health') health.push(q);
    else statuses.push(q);
  }
  const units: Unit[] = [];
  if (health.length || contacts.length)
    units.push({
      members: health,
      write: async (w) => {
        const writes = health.map((q) => q.storable as Extract<Storable, { kind: 'health' }>);
        await w.saveContacts(
          writes.map((h) => ({ site: h.site, health: h.health, receivedAt: h.at })),
          contacts,
        );
        return { sites: [...new Set(writes.map((h) => h.site))] };
      },
    });
  if (statuses.length)
    units.push({
      members: statuses,
      write: async (w) => {
        const writes = statuses.map((q) => q.storable as Extract<Storable, { kind: 'status' }>);
        await w.saveStatuses(writes.map((s) => ({ site: s.site, status: s.status, receivedAt: s.at })));
        return { sites: [...new Set(writes.map((s) => s.site))] };
      },
    });
  for (const q of [...single].sort((a, b) => byKey(a.topic, b.topic))) {
    const s = q.storable;
    // A message of the batch has its contact counted above: no second pass over the boxes.
    units.push(refused.get(q) ?? { members: [q], write: s.kind === 'write' ? s.run : writeOne(s) });
  }
  return units;
}

/**
 * Stores a batch of messages in one transaction and returns what each changed. A message the store refuses for what
 * it is does not sink the others: its unit is found (the one being written when the error came), the batch is written
 * again with it split into its messages, then with the refused message as a dead letter instead. Throws only for the
 * store's sake (down, restarting): then nothing of the batch is stored.
 */
export async function commitBatch(
  store: CenterStore,
  batch: readonly Queued[],
  deadLetter: DeadLetterEffect,
  from: string,
): Promise<Effect[]> {
  const alone = new Set<Queued>();
  const refused = new Map<Queued, Unit>();
  // Side by side, one sync per folder: the writes in the transaction then find them there, one after the other.
  const blobs = batch.flatMap((q) => (q.storable.kind === 'write' && q.storable.blob ? [q.storable.blob] : []));
  if (blobs.length) await store.blobs.putAll(blobs);
  for (;;) {
    const units = unitsOf(batch, alone, refused);
    let current: Unit | undefined;
    try {
      const effects = await store.ingestBatch(async (w) => {
        const out: Effect[] = [];
        for (const u of units) {
          current = u;
          out.push(await u.write(w));
        }
        current = undefined;
        const change = mergeChanges(out);
        if (change.events.length || change.sites.length) await w.announce({ from, ...change });
        return out;
      });
      // In the order the messages arrived (the writes were sorted by topic): a box's alerts are noted archived in
      // the order it numbered them, so no gap is seen that is not one.
      const arrival = (u: Unit) => (u.members.length ? batch.indexOf(u.members[0] as Queued) : -1);
      return units
        .map((u, i) => ({ u, e: effects[i] as Effect }))
        .sort((a, b) => arrival(a.u) - arrival(b.u))
        .map((x) => x.e);
    } catch (err) {
      const f = classifyWriteError(err);
      // A refusal that names no message (the batch's contacts alone, its announcement) is the store's to cure.
      if (f.kind !== 'refused' || !current?.members.length || current.deadLetter) throw err;
      const [first, ...more] = current.members;
      if (more.length || !first) for (const q of current.members) alone.add(q);
      else
        refused.set(first, {
          members: [first],
          deadLetter: true,
          write: async (w) => {
            const id = await w.saveDeadLetter({
              topic: first.topic,
              payload: first.payload,
              error: f.message,
              code: f.code,
              receivedAt: first.receivedAt,
            });
            return deadLetter(first, f, id);
          },
        });
    }
  }
}

/** The events and boxes a batch changed, each once. */
export function mergeChanges(effects: readonly Effect[]): StoreChange {
  const events = new Map<string, { site: string; id: string }>();
  const sites = new Set<string>();
  for (const e of effects) {
    for (const k of e.events ?? []) events.set(`${k.site}\u0000${k.id}`, k);
    for (const s of e.sites ?? []) sites.add(s);
  }
  return { events: [...events.values()], sites: [...sites] };
}

/**
 * One transaction at a time, each taking everything handed over while the previous one was committing: under load
 * the batches grow by themselves, and a lone message is written at once. An urgent message (an alert, its snapshot, a
 * command's answer: someone is waiting for it) goes into the next batch ahead of the health and statuses waiting, in
 * its own order. Each message's promise settles with its batch: resolved once committed, rejected when the store
 * failed for its own sake (nothing of the batch stored).
 */
export function groupCommitter(
  store: CenterStore,
  from: string,
  deadLetter: DeadLetterEffect,
  /** Neither may throw: `committed` runs what each message changed (counters, logs, the live feed). */
  on: { committed: (effects: Effect[]) => void; failed: (err: unknown) => void },
): (q: Queued, urgent?: boolean) => Promise<void> {
  type Waiting = { q: Queued; resolve: () => void; reject: (err: unknown) => void };
  const urgent: Waiting[] = [];
  const rest: Waiting[] = [];
  let running = false;
  const pump = async () => {
    if (running) return;
    running = true;
    while (urgent.length || rest.length) {
      const first = urgent.splice(0, MAX_BATCH);
      const batch = [...first, ...rest.splice(0, MAX_BATCH - first.length)];
      let effects: Effect[];
      try {
        effects = await commitBatch(
          store,
          batch.map((b) => b.q),
          deadLetter,
          from,
        );
      } catch (err) {
        on.failed(err);
        for (const b of batch) b.reject(err);
        continue;
      }
      for (const e of effects) await e.archived?.();
      for (const b of batch) b.resolve();
      on.committed(effects);
    }
    running = false;
  };
  return (q, isUrgent = false) =>
    new Promise<void>((resolve, reject) => {
      (isUrgent ? urgent : rest).push({ q, resolve, reject });
      void pump();
    });
}
