import { alertSchema, type Alert } from '../contract/alert.ts';
import { commandResultSchema, type CommandResult } from '../contract/commands.ts';
import { sha256Hex } from '../core/hash.ts';
import type { Logger } from '../core/log.ts';
import { cameraHealthSchema, statusSchema } from '../contract/health.ts';
import type { CenterStore } from './store/types.ts';
import { parseCenterTopic } from './topics.ts';

/** Newer agents add optional fields (category, phase, plate): kept, not refused. */
const incomingAlert = alertSchema.loose();

export interface IngestCounters {
  received: number;
  events: number;
  duplicates: number;
  snapshots: number;
  rejected: number;
}

export interface Ingest {
  /** Resolves once the message is durably stored (or judged bad and logged): only then is it acknowledged. */
  handle(topic: string, payload: Buffer): Promise<void>;
  counters: IngestCounters;
}

export interface IngestDeps {
  root: string;
  store: CenterStore;
  instance: string;
  /** The forwarders that want a message in this lifecycle state (queued with it, in one transaction). */
  forwarders: (state: string) => readonly string[];
  log: Logger;
  onEvent?: (alert: Alert) => void;
  onCommandResult?: (result: CommandResult) => void;
  onChange?: () => void;
  now?: () => number;
}

export function createIngest(deps: IngestDeps): Ingest {
  const { root, store, log } = deps;
  const now = deps.now ?? Date.now;
  const counters: IngestCounters = { received: 0, events: 0, duplicates: 0, snapshots: 0, rejected: 0 };
  const reject = (topic: string, why: string) => {
    counters.rejected++;
    log.warn({ topic, reason: why }, 'message refused');
  };
  const json = (topic: string, payload: Buffer): unknown => {
    try {
      return JSON.parse(payload.toString('utf8'));
    } catch (err) {
      reject(topic, `not JSON (${(err as Error).message})`);
      return undefined;
    }
  };
  const issues = (e: { issues: { path: PropertyKey[]; message: string }[] }) =>
    e.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ');

  return {
    counters,
    async handle(topic, payload) {
      counters.received++;
      const t = parseCenterTopic(root, topic);
      const at = now();
      switch (t.kind) {
        case 'event': {
          const raw = json(topic, payload);
          if (raw === undefined) return;
          const parsed = incomingAlert.safeParse(raw);
          if (!parsed.success) return reject(topic, `not a ${'jifang.event/1'} alert: ${issues(parsed.error)}`);
          const alert = parsed.data as Alert & { category?: unknown };
          if (alert.site !== t.site || alert.camera !== t.camera)
            return reject(topic, `alert of ${alert.site}/${alert.camera} on the topic of ${t.site}/${t.camera}`);
          const cat = readCategory(alert.category);
          const { inserted } = await store.saveEvent(
            {
              alert,
              categoryCode: cat.code,
              categoryName: cat.name,
              json: payload.toString('utf8'),
              receivedAt: at,
              receivedBy: deps.instance,
            },
            deps.forwarders(alert.state),
          );
          if (inserted) {
            counters.events++;
            log.info({ eventId: alert.id, seq: alert.seq, state: alert.state, site: alert.site, camera: alert.camera }, 'event archived');
            deps.onEvent?.(alert);
            deps.onChange?.();
          } else {
            counters.duplicates++;
          }
          return;
        }
        case 'snapshot': {
          if (payload.length < 4 || payload[0] !== 0xff || payload[1] !== 0xd8) return reject(topic, 'snapshot is not a JPEG');
          const { inserted } = await store.saveSnapshot(sha256Hex(payload), payload, topic, at);
          // No contact recorded here: the snapshot's alert records it, one write fewer per picture.
          if (inserted) counters.snapshots++;
          else counters.duplicates++;
          deps.onChange?.();
          return;
        }
        case 'status': {
          // A retained message cleared by an empty payload: the box was removed from the broker.
          if (payload.length === 0) return;
          const raw = json(topic, payload);
          if (raw === undefined) return;
          const parsed = statusSchema.safeParse(raw);
          if (!parsed.success) return reject(topic, `not a status: ${issues(parsed.error)}`);
          await store.saveStatus(t.site, parsed.data, at);
          deps.onChange?.();
          return;
        }
        case 'health': {
          if (payload.length === 0) return;
          const raw = json(topic, payload);
          if (raw === undefined) return;
          const parsed = cameraHealthSchema.safeParse(raw);
          if (!parsed.success) return reject(topic, `not a camera health: ${issues(parsed.error)}`);
          await store.saveHealth(t.site, parsed.data, at);
          deps.onChange?.();
          return;
        }
        case 'cmd-result': {
          const raw = json(topic, payload);
          if (raw === undefined) return;
          const parsed = commandResultSchema.safeParse(raw);
          if (!parsed.success) return reject(topic, `not a command result: ${issues(parsed.error)}`);
          deps.onCommandResult?.(parsed.data);
          // The same answer arrives on cmd-result and on the response topic: one row (same bytes, same digest).
          await store.saveCommandResult(t.site, parsed.data, payload.toString('utf8'), at);
          deps.onChange?.();
          return;
        }
        case 'other':
          return;
      }
    },
  };
}

/** The standard category as newer agents send it (`{ code, name }`), read without trusting its shape. */
function readCategory(c: unknown): { code: string | null; name: string | null } {
  if (!c || typeof c !== 'object') return { code: null, name: null };
  const o = c as Record<string, unknown>;
  const name = typeof o.name === 'string' ? o.name : typeof o.nameZh === 'string' ? o.nameZh : null;
  return { code: typeof o.code === 'string' ? o.code : null, name };
}
