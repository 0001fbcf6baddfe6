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

/** The forwarders that want a message in this lifecycle state and of this event type (a filtered one: of its types only). */
export const forwarderIds = (list: readonly ForwarderConfig[], state: string, category?: string): string[] =>
  list
    .filter((f) => f.enabled && (f.states as readonly string[]).includes(state))
    .filter((f) => !f.categories || (category !== undefined && f.categories.includes(category)))
    .map((f) => f.id);

export interface Forwarders {
  /** The platforms that want a message in this lifecycle state and of this event type. */
  ids(state: string, category?: string): readonly string[];
  /** Sends with these forwarders from now on (an admin's edit); deliveries already queued keep their forwarder's id. */
  update(list: readonly ForwarderConfig[]): void;
  /** Deliveries given up because their archived message could not be read. */
  skipped(): number;
  /** Sends what is due now; returns how many were attempted. */
  tick(): Promise<number>;
  stop(): Promise<void>;
}

type Outcome = Parameters<CenterStore['finishDelivery']>[1];

/** What a platform answered to one POST: its status (null without an answer), the start of its body, or why it failed. */
export type PlatformAnswer = { ok: true; status: number; body: string } | { ok: false; status: number | null; body: string; error: string };

/** The body a platform gets for this alert: the forwarder's template filled in, else the alert itself. */
export const platformBody = (f: ForwarderConfig, alert: Record<string, unknown>): string =>
  JSON.stringify(f.template === undefined ? alert : renderTemplate(f.template, alert));

/** POSTs one body to the forwarder's platform with its headers and token; never throws. */
export async function postToPlatform(f: ForwarderConfig, body: string, idempotencyKey: string): Promise<PlatformAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': idempotencyKey, ...f.headers };
  try {
    if (f.token !== undefined) headers.authorization = `Bearer ${readSecret(f.token, `forwarders.${f.id}.token`)}`;
    const res = await fetch(f.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(f.timeoutSeconds * 1000) });
    // The start of the answer: a platform's own words on what it refused are often there.
    const said = (await res.text().catch(() => '')).slice(0, 500);
    if (res.ok) return { ok: true, status: res.status, body: said };
    return { ok: false, status: res.status, body: said, error: `HTTP ${res.status} ${res.statusText}` };
  } catch (err) {
    const e = err as Error;
    return { status: null, ok: false, body: '', error: e.name === 'TimeoutError' ? `no answer within ${f.timeoutSeconds} s` : e.message };
  }
}

/** POSTs one alert to its platform; a failure's outcome says when to try again (null: given up after `maxAttempts`). */
async function deliver(
  f: ForwarderConfig,
  d: ClaimedDelivery,
  alert: Record<string, unknown>,
  now: () => number,
  log: Logger,
): Promise<Outcome> {
  const answer = await postToPlatform(f, platformBody(f, alert), `${d.eventId}:${d.seq}`);
  if (answer.ok) return { ok: true, status: answer.status, at: now() };
  const { status, error } = answer;
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
  let current = list;
  let byId = new Map(list.map((f) => [f.id, f]));
  const now = opts.now ?? Date.now;
  let running: Promise<number> | null = null;
  let stopped = false;
  let skipped = 0;

  const send = async (d: ClaimedDelivery): Promise<void> => {
    const f = byId.get(d.forwarder);
    // A forwarder removed or disabled: its rows stay pending until it comes back.
    if (!f?.enabled) return;
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

  let timer: NodeJS.Timeout | null = null;
  // Without forwarders nothing is claimed; the timer starts with the first one an admin adds.
  const schedule = () => {
    if (timer || stopped || !current.length) return;
    timer = setInterval(() => {
      if (!stopped) tick().catch((err: Error) => log.error({ err }, 'forwarding failed'));
    }, opts.intervalMs ?? 1000);
    timer.unref();
  };
  schedule();

  return {
    skipped: () => skipped,
    ids: (state, category) => forwarderIds(current, state, category),
    update: (next) => {
      current = next;
      byId = new Map(next.map((f) => [f.id, f]));
      schedule();
    },
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
