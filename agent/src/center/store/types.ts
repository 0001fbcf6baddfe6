import type { Alert } from '../../contract/alert.ts';
import type { CommandResult } from '../../contract/commands.ts';
import type { CameraHealth, Status } from '../../contract/health.ts';
import type { SessionStore } from '../../web/sessions.ts';
import type { ActionRow, BoxRow, DeliveryRow, DeliveryStat, EventRow } from '../wire.ts';
import type { BlobStore } from './blob-store.ts';
import type { IncidentStore } from './incident-store.ts';
import type { PatrolStore } from './patrol-store.ts';
import type { ProgressStore } from './progress-store.ts';
import type { StatsStore } from './stats-store.ts';

/** The rows the pages receive are the wire's (center/wire.ts): the store returns them as they are sent. */
export type { ActionRow, DeliveryRow, DeliveryStat } from '../wire.ts';

export interface EventMessageRow {
  seq: number;
  state: string;
  snapshotSha: string | null;
  receivedAt: number;
  receivedBy: string | null;
  alert: Alert;
}

export interface ClaimedDelivery extends DeliveryRow {
  site: string;
  /** The archived message as the box sent it (JSON text): read by the forwarder, which skips a row it cannot read. */
  alertJson: string;
}

/** A message the store refused for what it is, kept whole until an admin replays it. */
export interface DeadLetterRow {
  id: number;
  topic: string;
  bytes: number;
  error: string;
  code: string | null;
  receivedAt: number;
  replayedAt: number | null;
  replayError: string | null;
}

export interface EventFilter {
  site?: string;
  type?: string;
  states?: string[];
  /** Only events without an operator's closing decision (false_positive / resolve) that are not cleared. */
  open?: boolean;
  since?: number;
  until?: number;
  limit?: number;
}

/** A search of the whole archive: parts of the plate, address or id (`text`: any of the three), a time range, a page. */
export interface EventSearch {
  text?: string;
  plate?: string;
  address?: string;
  id?: string;
  site?: string;
  type?: string;
  /** Started at or after / at or before (ms). */
  since?: number;
  until?: number;
  offset: number;
  limit: number;
}

/** The sessions, and one user's ended at once (removed, or given another role or password by an admin). */
export interface CenterSessions extends SessionStore {
  endUser(user: string): Promise<void>;
}

export interface StoreCounts {
  events: number;
  messages: number;
  snapshots: number;
  snapshotBytes: number;
  actions: number;
  commandResults: number;
  deliveries: number;
  deadLetters: number;
}

/** The message that arrived, as ingest hands it to the store. */
export interface IncomingEvent {
  alert: Alert;
  /** Optional fields newer agents add (standard category, plate …), read loosely. */
  categoryCode: string | null;
  categoryName: string | null;
  json: string;
  receivedAt: number;
  receivedBy: string;
}

/** What a group commit changed, for the live feeds of every instance: events by key, boxes by site. */
export interface StoreChange {
  events: { site: string; id: string }[];
  sites: string[];
}

/** The writes of one group commit (many messages in one transaction), as ingest makes them. */
export type IngestWrites = Pick<CenterStore, 'saveEvent' | 'saveSnapshot' | 'saveCommandResult' | 'saveDeadLetter'> & {
  /**
   * The health of many cameras at once (for a camera given twice, the newest wins, as it does over the stored one) and
   * every box's contact in the batch (its health, its alerts: `saveEvent` here counts none), first in the batch.
   */
  saveContacts(
    writes: readonly { site: string; health: CameraHealth; receivedAt: number }[],
    contacts: readonly { site: string; at: number }[],
  ): Promise<void>;
  /** The statuses of many boxes at once: for a box given twice, the last one given wins (the last to arrive is the truth). */
  saveStatuses(writes: readonly { site: string; status: Status; receivedAt: number }[]): Promise<void>;
  /** Tells the other instances on this archive what changed, once (and only if) the transaction commits. */
  announce(change: StoreChange & { from: string }): Promise<void>;
};

/** A snapshot as ingest hands it to the store: the JPEG and where it came from (its event's topic). */
export interface IncomingSnapshot {
  jpeg: Buffer;
  topic: string;
  site: string;
  camera: string;
  eventId: string;
  receivedAt: number;
}

/** What one pruning deleted. */
export interface Pruned {
  count: number;
  bytes: number;
}

/**
 * The center's archive. Every write is idempotent: MQTT delivers at least once, several instances may see the same
 * message, and a restart replays the broker's queue; none of that may make a second row.
 */
export interface CenterStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Incident logs for the risk model (risk/). */
  readonly incidents: IncidentStore;
  /** The bureau's statistics, the planned patrol slots and the archive's events as incidents. */
  readonly stats: StatsStore;
  /** The console's login sessions, shared by every instance on this store. */
  readonly sessions: CenterSessions;
  /** Patrol units and work orders (patrol/). */
  readonly patrol: PatrolStore;
  /** Files beside the rows, named by their SHA-256 (snapshots; other bytes too big for a row). */
  readonly blobs: BlobStore;
  /** Which numbered alert messages of each box the archive has (gaps are asked for again). */
  readonly progress: ProgressStore;
  /** Stores one lifecycle message; `inserted` is false for one already there (same site, id and seq). Queues it for the forwarders. */
  saveEvent(ev: IncomingEvent, forwarders: readonly string[]): Promise<{ inserted: boolean }>;
  /** Stores the JPEG as a blob (durable when this resolves) and its row; `inserted` false for one already there. */
  saveSnapshot(s: IncomingSnapshot): Promise<{ inserted: boolean; sha256: string }>;
  /**
   * Deletes the snapshots received before `before` (ms), then each box's oldest beyond `perSiteBytes`; their events
   * keep the digest (the page says the picture is gone).
   */
  pruneSnapshots(o: { before: number; perSiteBytes: number }): Promise<{ byAge: Pruned; byQuota: Pruned }>;
  /**
   * Deletes the events that ended before `endedBefore` (epoch ms), with their messages, actions and deliveries, except
   * those a work order not yet closed names; returns how many events went.
   */
  pruneEvents(endedBefore: number): Promise<number>;
  saveStatus(site: string, status: Status, receivedAt: number): Promise<void>;
  /** Runs `fn` in one transaction: every write it makes commits together, or none does (and `fn`'s error is thrown). */
  ingestBatch<T>(fn: (w: IngestWrites) => Promise<T>): Promise<T>;
  saveHealth(site: string, health: CameraHealth, receivedAt: number): Promise<void>;
  /** Any message from a box is a contact. */
  touch(site: string, at: number): Promise<void>;
  /** `answered`: the events whose pending or timed-out action this answer settles. */
  saveCommandResult(
    site: string,
    result: CommandResult,
    json: string,
    receivedAt: number,
  ): Promise<{ inserted: boolean; answered: { site: string; id: string }[] }>;
  recordAction(a: Omit<ActionRow, 'result' | 'error' | 'answeredAt'>): Promise<void>;
  finishAction(requestId: string, result: ActionRow['result'], error: string | null, at: number): Promise<void>;

  listEvents(f: EventFilter): Promise<EventRow[]>;
  /** One page of the events a search matches, newest first, and how many match in all. */
  searchEvents(q: EventSearch): Promise<{ events: EventRow[]; total: number }>;
  /** An event by its site and id; without the site, the first archived of that id (ids are unique only per site). */
  getEvent(
    id: string,
    site?: string,
  ): Promise<{ event: EventRow; messages: EventMessageRow[]; actions: ActionRow[]; deliveries: DeliveryRow[] } | null>;
  latestAlert(id: string, site?: string): Promise<Alert | null>;
  getSnapshot(sha256: string): Promise<Buffer | null>;
  listBoxes(): Promise<BoxRow[]>;
  /** The events of these keys and the boxes of these sites as they are now, for the live feed. */
  changed(c: StoreChange): Promise<{ events: EventRow[]; boxes: BoxRow[] }>;
  /**
   * What other instances commit (announced in their batches; PostgreSQL only, SQLite has one writer). `null` when the
   * listening connection was lost and is back: what changed meanwhile is unknown.
   */
  onChange(listener: (c: (StoreChange & { from: string }) | null) => void): () => void;
  /** Rows changed at or after `since` (ms), for the live feed. */
  changedSince(since: number): Promise<{ events: EventRow[]; boxes: BoxRow[] }>;

  /** Due deliveries, each claimed for `leaseMs` so another instance does not send it at the same time. */
  claimDeliveries(now: number, limit: number, leaseMs: number): Promise<ClaimedDelivery[]>;
  finishDelivery(
    d: { forwarder: string; site: string; eventId: string; seq: number },
    outcome: { ok: true; status: number; at: number } | { ok: false; status: number | null; error: string; nextAt: number | null },
  ): Promise<void>;
  deliveryStats(): Promise<DeliveryStat[]>;

  saveDeadLetter(d: { topic: string; payload: Buffer; error: string; code: string | null; receivedAt: number }): Promise<number>;
  listDeadLetters(limit: number): Promise<DeadLetterRow[]>;
  getDeadLetter(id: number): Promise<(DeadLetterRow & { payload: Buffer }) | null>;
  /** Records a replay's outcome: `error` null when the message is now archived. */
  finishReplay(id: number, at: number, error: string | null): Promise<void>;
  /** Deletes the oldest dead letters until the rest take at most `maxBytes`. */
  pruneDeadLetters(maxBytes: number): Promise<Pruned>;

  counts(): Promise<StoreCounts>;
  /** Bytes the archive's tables take (for the benchmark). */
  sizeBytes(): Promise<number>;
  close(): Promise<void>;
}
