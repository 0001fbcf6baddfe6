import type { Alert } from '../contract/alert.ts';
import type { CommandResult } from '../contract/commands.ts';
import type { Logger } from '../core/log.ts';
import { type DeadLetterEffect, type Effect, groupCommitter, mergeChanges, type Storable, writeOne } from './batch.ts';
import { clip, INCOMING, type IncomingTypes, WIRE_LIMITS, wireLimitProblem } from './incoming.ts';
import { classifyWriteError } from './store/errors.ts';
import type { CenterStore, IngestWrites, StoreChange } from './store/types.ts';
import { type CenterTopic, parseCenterTopic } from './topics.ts';

export interface IngestCounters {
  received: number;
  events: number;
  duplicates: number;
  snapshots: number;
  /** Messages refused by their content (not JSON, not the contract, over the limits). */
  rejected: number;
  /** Messages about another site (or camera) than the topic they came on: a box speaking for another. */
  wrongSite: number;
  /** Messages on a topic the center cannot place. */
  unplaced: number;
  /** Messages the store refused, kept in the dead letters. */
  deadLetters: number;
  /** Writes that failed for the store's sake (down, restarting), retried before acknowledging. */
  storeFailures: number;
}

/** Why the archive cannot take messages right now, and since when; null while it can. */
export interface StoreProblem {
  error: string;
  since: number;
}

export interface Ingest {
  /**
   * Resolves once the message is durably stored, dead-lettered, or judged bad and logged: only then is it
   * acknowledged. Rejects only when the store could not be written for its own sake (worth retrying). Messages handed
   * over while a transaction is open wait for the next one, all together (a group commit).
   */
  handle(topic: string, payload: Buffer, retry?: boolean): Promise<void>;
  /** Handles a dead letter again (after an upgrade or a repair): archived, or the store's reason it still refuses it. */
  replay(id: number): Promise<{ ok: true } | { ok: false; error: string }>;
  storeProblem(): StoreProblem | null;
  counters: IngestCounters;
}

export interface IngestDeps {
  root: string;
  store: CenterStore;
  instance: string;
  /** The forwarders that want a message in this lifecycle state (queued with it, in one transaction). */
  forwarders: (state: string, category?: string) => readonly string[];
  log: Logger;
  onEvent?: (alert: Alert) => void;
  onCommandResult?: (site: string, result: CommandResult) => void;
  /** A numbered alert is in the archive, new or a repeat, before it is acknowledged (center/gaps.ts). */
  onArchived?: (alert: Alert) => Promise<void>;
  /** What a committed batch changed (events by key, boxes by site), once per batch that changed something. */
  onChange?: (c: StoreChange) => void;
  now?: () => number;
}

type Refusal = { kind: 'refused'; refused: string; counter: 'rejected' | 'wrongSite' };
type Plan = Storable | Refusal | { kind: 'unplaced' } | null;

export function createIngest(deps: IngestDeps): Ingest {
  const { store, log } = deps;
  const now = deps.now ?? Date.now;
  const counters: IngestCounters = {
    received: 0,
    events: 0,
    duplicates: 0,
    snapshots: 0,
    rejected: 0,
    wrongSite: 0,
    unplaced: 0,
    deadLetters: 0,
    storeFailures: 0,
  };
  const warn = limitedLog(log, now);
  const plan = planner(deps, counters, now);
  const deadLetter = deadLetterEffect(deps, counters);

  const archive = archiveState(log, now, counters);
  const applied = applier(deps);
  const submit = groupCommitter(store, deps.instance, deadLetter, {
    committed: (effects) => {
      archive.recovered();
      applied(effects);
    },
    failed: archive.failed,
  });

  return {
    counters,
    storeProblem: archive.problem,
    async handle(topic, payload, retry = false) {
      if (!retry) counters.received++;
      const p = plan(topic, payload);
      if (p === null) return;
      if (p.kind === 'unplaced') {
        counters.unplaced++;
        return warn('unplaced', { topic: clip(topic, 200), bytes: payload.length }, 'message on a topic the center cannot place: ignored');
      }
      if (p.kind === 'refused') {
        counters[p.counter]++;
        return warn(p.counter, { topic: clip(topic, 200), reason: p.refused }, 'message refused');
      }
      // Alerts, snapshots and command answers: people wait for them; health and statuses are coalesced anyway.
      await submit({ topic, payload, storable: p, receivedAt: now() }, p.kind === 'write');
    },
    async replay(id) {
      const letter = await store.getDeadLetter(id);
      if (!letter) return { ok: false, error: `no dead letter ${id}` };
      const p = plan(letter.topic, letter.payload);
      const error =
        p === null
          ? null
          : p.kind === 'unplaced'
            ? 'the center cannot place its topic'
            : p.kind === 'refused'
              ? p.refused
              : await replayWrite(store, p, applied, archive);
      await store.finishReplay(id, now(), error);
      log.info(
        { deadLetter: id, topic: clip(letter.topic, 200), ...(error ? { err: clip(error, 300) } : {}) },
        error ? 'dead letter refused again' : 'dead letter archived',
      );
      return error === null ? { ok: true } : { ok: false, error };
    },
  };
}

/** Runs what a committed batch changed: each message's effects, then one change for the live feed. */
function applier(deps: IngestDeps): (effects: readonly Effect[]) => void {
  return (effects) => {
    try {
      for (const e of effects) e.after?.();
      const change = mergeChanges(effects);
      if (change.events.length || change.sites.length) deps.onChange?.(change);
    } catch (err) {
      deps.log.error({ err }, 'after storing a batch: a listener failed (the batch is stored)');
    }
  };
}

/** A dead letter written again on its own: null once archived, the store's reason if it refuses it still. */
async function replayWrite(
  store: CenterStore,
  s: Storable,
  applied: (effects: readonly Effect[]) => void,
  archive: ReturnType<typeof archiveState>,
): Promise<string | null> {
  try {
    applied([await store.ingestBatch(writeOne(s))]);
    archive.recovered();
    return null;
  } catch (err) {
    const f = classifyWriteError(err);
    if (f.kind === 'refused') return f.message;
    archive.failed(err);
    throw err;
  }
}

/** Whether the archive takes writes: failures counted, the first of an outage and its end logged once. */
function archiveState(log: Logger, now: () => number, counters: IngestCounters) {
  let problem: StoreProblem | null = null;
  return {
    problem: () => problem,
    failed(err: unknown) {
      const f = classifyWriteError(err);
      counters.storeFailures++;
      if (!problem) log.error({ err }, 'the archive does not take messages: they wait unacknowledged at the broker');
      problem ??= { error: f.message, since: now() };
      problem.error = f.message;
    },
    recovered() {
      if (problem) log.info({ downSince: new Date(problem.since).toISOString() }, 'the archive takes messages again');
      problem = null;
    },
  };
}

/** A refused message kept as a dead letter: counted and logged once its batch has committed. */
function deadLetterEffect(deps: IngestDeps, counters: IngestCounters): DeadLetterEffect {
  return (q, f, id) => ({
    after: () => {
      counters.deadLetters++;
      deps.log.error(
        { topic: clip(q.topic, 200), deadLetter: id, code: f.code, err: clip(f.message, 300) },
        'the archive refused a message: kept as a dead letter',
      );
    },
  });
}

/** What one message holds, read as JSON against the schema of its kind and the wire limits. */
function parseIncoming<K extends keyof typeof INCOMING>(kind: K, payload: Buffer): { kind: 'parsed'; ok: IncomingTypes[K] } | Refusal {
  const { schema, what } = INCOMING[kind];
  if (payload.length > WIRE_LIMITS.jsonBytes) return rejected(`${payload.length} bytes, more than ${WIRE_LIMITS.jsonBytes} for ${what}`);
  let raw: unknown;
  try {
    raw = JSON.parse(payload.toString('utf8'));
  } catch (err) {
    return rejected(`not JSON (${clip((err as Error).message, 120)})`);
  }
  const over = wireLimitProblem(raw);
  if (over) return rejected(`not ${what}: ${over}`);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return rejected(`not ${what}: ${issues(parsed.error)}`);
  return { kind: 'parsed', ok: parsed.data as IncomingTypes[K] };
}

const write = (run: (w: IngestWrites) => Promise<Effect>, contact?: { site: string; at: number }): Plan =>
  contact ? { kind: 'write', run, contact } : { kind: 'write', run };

/** An alert on its camera's topic: stored once per (site, id, seq), counted, and announced. */
function planEvent(
  deps: IngestDeps,
  counters: IngestCounters,
  now: () => number,
  t: { site: string; camera: string },
  payload: Buffer,
): Plan {
  const p = parseIncoming('event', payload);
  if (p.kind === 'refused') return p;
  const alert = p.ok;
  if (alert.site !== t.site || alert.camera !== t.camera)
    return wrongSite(`alert of ${clip(alert.site)}/${clip(alert.camera)} on the topic of ${t.site}/${t.camera}`);
  const cat = readCategory(alert.category);
  const at = now();
  return write(
    async (w) => {
      const { inserted } = await w.saveEvent(
        {
          alert,
          categoryCode: cat.code,
          categoryName: cat.name,
          json: payload.toString('utf8'),
          receivedAt: at,
          receivedBy: deps.instance,
        },
        deps.forwarders(alert.state, alert.category?.id),
      );
      const archived = () => deps.onArchived?.(alert) ?? Promise.resolve();
      if (!inserted) return { after: () => counters.duplicates++, archived };
      return {
        events: [{ site: alert.site, id: alert.id }],
        archived,
        after: () => {
          counters.events++;
          deps.log.info(
            { eventId: alert.id, seq: alert.seq, state: alert.state, site: alert.site, camera: alert.camera },
            'event archived',
          );
          deps.onEvent?.(alert);
        },
      };
    },
    { site: alert.site, at },
  );
}

/** What to do with one message: nothing (a topic the center does not archive), refuse it, or store it. */
function planner(deps: IngestDeps, counters: IngestCounters, now: () => number) {
  return (topic: string, payload: Buffer): Plan => {
    const t: CenterTopic = parseCenterTopic(deps.root, topic);
    switch (t.kind) {
      case 'ignored':
        return null;
      case 'unknown':
        return { kind: 'unplaced' };
      case 'event':
        return planEvent(deps, counters, now, t, payload);
      case 'snapshot': {
        if (payload.length < 4 || payload[0] !== 0xff || payload[1] !== 0xd8) return rejected('snapshot is not a JPEG');
        const at = now();
        return {
          kind: 'write',
          blob: payload,
          run: async (w) => {
            const { inserted } = await w.saveSnapshot({
              jpeg: payload,
              topic,
              site: t.site,
              camera: t.camera,
              eventId: t.eventId,
              receivedAt: at,
            });
            // No contact recorded here: the snapshot's alert records it, one write fewer per picture.
            return { after: () => (inserted ? counters.snapshots++ : counters.duplicates++) };
          },
        };
      }
      case 'status': {
        // A retained message cleared by an empty payload: the box was removed from the broker.
        if (payload.length === 0) return null;
        const s = parseIncoming('status', payload);
        return s.kind === 'refused' ? s : { kind: 'status', site: t.site, status: s.ok, at: now() };
      }
      case 'health': {
        if (payload.length === 0) return null;
        const h = parseIncoming('health', payload);
        if (h.kind === 'refused') return h;
        if (h.ok.camera !== t.camera) return wrongSite(`health of camera ${clip(h.ok.camera)} on the topic of ${t.camera}`);
        return { kind: 'health', site: t.site, health: h.ok, at: now() };
      }
      case 'cmd-result': {
        const r = parseIncoming('cmd-result', payload);
        if (r.kind === 'refused') return r;
        const at = now();
        return write(async (w) => {
          // The operator waiting for this answer has it even while the archive is down (a second call changes nothing).
          deps.onCommandResult?.(t.site, r.ok);
          // The same answer arrives on cmd-result and on the response topic: one row (same bytes, same digest).
          const { answered } = await w.saveCommandResult(t.site, r.ok, payload.toString('utf8'), at);
          return { events: answered };
        });
      }
    }
  };
}

const rejected = (why: string): Refusal => ({ kind: 'refused', refused: why, counter: 'rejected' });
const wrongSite = (why: string): Refusal => ({ kind: 'refused', refused: why, counter: 'wrongSite' });

const issues = (e: { issues: { path: PropertyKey[]; message: string }[] }) =>
  e.issues
    .slice(0, 5)
    .map((i) => `${clip(i.path.map(String).join('.'), 120) || 'payload'}: ${clip(i.message, 200)}`)
    .join('; ');

/**
 * Warnings about what boxes send, at most 20 a minute per kind: a box flooding bad messages must not flood the log
 * (each is counted all the same; the next line says how many were not logged).
 */
function limitedLog(log: Logger, now: () => number) {
  const windows = new Map<string, { start: number; logged: number; quiet: number }>();
  return (kind: string, fields: Record<string, unknown>, msg: string): void => {
    const t = now();
    let w = windows.get(kind);
    if (!w || t - w.start >= 60_000) {
      if (w?.quiet) log.warn({ kind, notLogged: w.quiet }, 'more messages of this kind were refused in the last minute');
      w = { start: t, logged: 0, quiet: 0 };
      windows.set(kind, w);
    }
    if (w.logged < 20) {
      w.logged++;
      log.warn(fields, msg);
    } else w.quiet++;
  };
}

/** The standard category as newer agents send it (`{ code, name }`), read without trusting its shape. */
function readCategory(c: unknown): { code: string | null; name: string | null } {
  if (!c || typeof c !== 'object') return { code: null, name: null };
  const o = c as Record<string, unknown>;
  const name = typeof o.name === 'string' ? o.name : typeof o.nameZh === 'string' ? o.nameZh : null;
  return { code: typeof o.code === 'string' ? o.code : null, name };
}
