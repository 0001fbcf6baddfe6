import { backoffDelayMs } from '../core/backoff.ts';
import type { Logger } from '../core/log.ts';
import { readSecret } from '../core/secrets.ts';
import type { ForwarderConfig } from './config.ts';
import type { CenterStore, ClaimedDelivery } from './store/types.ts';

/**
 * Renders a platform's body from the alert: a string that is exactly `{{path}}` becomes that value (any type),
 * `{{path}}` inside a longer string becomes its text, a missing path becomes null / "". Pure.
 */
export function renderTemplate(template: unknown, alert: Record<string, unknown>): unknown {
  const lookup = (path: string): unknown => {
    let cur: unknown = alert;
    for (const key of path.split('.')) {
      if (cur === null || typeof cur !== 'object') return undefined;
      cur = (cur as Record<string, unknown>)[key];
    }
    return cur;
  };
  const walk = (t: unknown): unknown => {
    if (typeof t === 'string') {
      const whole = /^\{\{\s*([\w.]+)\s*\}\}$/.exec(t);
      if (whole) return lookup(whole[1]) ?? null;
      return t.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, p: string) => {
        const v = lookup(p);
        return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
      });
    }
    if (Array.isArray(t)) return t.map(walk);
    if (t && typeof t === 'object') return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, walk(v)]));
    return t;
  };
  return walk(template);
}

/** The forwarders that want a message in this lifecycle state. */
export const forwarderIds = (list: readonly ForwarderConfig[], state: string): string[] =>
  list.filter((f) => (f.states as readonly string[]).includes(state)).map((f) => f.id);

export interface Forwarders {
  /** The platforms that want a message in this lifecycle state. */
  ids(state: string): readonly string[];
  /** Deliveries given up because their archived message could not be read. */
  skipped(): number;
  /** Sends what is due now; returns how many were attempted. */
  tick(): Promise<number>;
  stop(): Promise<void>;
}

type Outcome = Parameters<CenterStore['finishDelivery']>[1];

/** POSTs one alert to its platform; a failure's outcome says when to try again (null: given up after `maxAttempts`). */
async function deliver(
  f: ForwarderConfig,
  d: ClaimedDelivery,
  alert: Record<string, unknown>,
  now: () => number,
  log: Logger,
): Promise<Outcome> {
  const body = JSON.stringify(f.template === undefined ? alert : renderTemplate(f.template, alert));
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'idempotency-key': `${d.eventId}:${d.seq}`,
    ...f.headers,
  };
  if (f.token !== undefined) headers.authorization = `Bearer ${readSecret(f.token, `forwarders.${f.id}.token`)}`;
  let status: number | null = null;
  let error: string;
  try {
    const res = await fetch(f.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(f.timeoutSeconds * 1000) });
    status = res.status;
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) return { ok: true, status, at: now() };
    error = `HTTP ${res.status} ${res.statusText}`;
  } catch (err) {
    error = (err as Error).name === 'TimeoutError' ? `no answer within ${f.timeoutSeconds} s` : (err as Error).message;
  }
  const attempts = d.attempts + 1;
  const nextAt =
    attempts >= f.maxAttempts
      ? null
      : now() + backoffDelayMs(attempts - 1, { initialMs: f.retryMinSeconds * 1000, maxMs: f.retryMaxSeconds * 1000 });
  if (nextAt === null) log.error({ forwarder: f.id, eventId: d.eventId, seq: d.seq, attempts, error }, 'delivery given up');
  else log.warn({ forwarder: f.id, eventId: d.eventId, seq: d.seq, attempts, error }, 'delivery failed: will retry');
  return { ok: false, status, error, nextAt };
}

/**
 * One alert, every platform: each forwarder has its durable queue (the `deliveries` rows written with the event in
 * one transaction), sends with retries and backoff, and gives up after `maxAttempts` (shown as failed).
 */
export function startForwarders(
  list: readonly ForwarderConfig[],
  store: CenterStore,
  log: Logger,
  opts: { intervalMs?: number; now?: () => number } = {},
): Forwarders {
  const byId = new Map(list.map((f) => [f.id, f]));
  const now = opts.now ?? Date.now;
  let running: Promise<number> | null = null;
  let stopped = false;
  let skipped = 0;

  const send = async (d: ClaimedDelivery): Promise<void> => {
    const f = byId.get(d.forwarder);
    if (!f) return; // a forwarder removed from the config: its rows stay pending until it comes back
    const alert = readRow(d);
    if (!alert) {
      // A row no later code can read is given up at once, so it never holds up the others.
      skipped++;
      log.error({ forwarder: f.id, eventId: d.eventId, site: d.site, seq: d.seq }, 'archived message unreadable: delivery skipped');
      await store.finishDelivery(d, { ok: false, status: null, error: 'the archived message is not readable JSON', nextAt: null });
      return;
    }
    await store.finishDelivery(d, await deliver(f, d, alert, now, log));
  };

  const tick = async (): Promise<number> => {
    if (running) return running;
    running = (async () => {
      const due = await store.claimDeliveries(now(), 50, 120_000);
      await Promise.all(due.map(send));
      return due.length;
    })().finally(() => {
      running = null;
    });
    return running;
  };

  const timer = list.length
    ? setInterval(() => {
        if (!stopped) tick().catch((err: Error) => log.error({ err }, 'forwarding failed'));
      }, opts.intervalMs ?? 1000)
    : null;
  timer?.unref();

  return {
    skipped: () => skipped,
    ids: (state) => forwarderIds(list, state),
    tick,
    stop: async () => {
      stopped = true;
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}

/** The archived alert as JSON, whatever this version's schema says of it; null when it is not a JSON object. */
function readRow(d: ClaimedDelivery): Record<string, unknown> | null {
  try {
    const v = JSON.parse(d.alertJson) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
