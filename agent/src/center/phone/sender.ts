import type { PhoneDb } from './idb.ts';
import { nextToSend, type OutboxItem, retryDelayMs, type Verdict, verdictOf } from './outbox.ts';

/*
 * Sends the outbox to the center, oldest first, one at a time: whenever something is added, the network returns, the
 * live feed reconnects, or the back-off timer fires. An item leaves the outbox only once the center has answered it.
 */

export interface SenderDeps {
  db: PhoneDb;
  /** The session's CSRF token (refreshed by the page when it reconnects). */
  csrf(): string;
  /** The outbox changed (an item added, sent, failed): the page redraws what is waiting. */
  changed(items: OutboxItem[]): void;
  /** The center asked for a login: the page says so; sending resumes after the next login. */
  loginNeeded(): void;
}

const TIMEOUT_MS = { transition: 20_000, photo: 90_000 };

async function post(item: OutboxItem, csrf: string): Promise<{ status: number | null; error: string }> {
  const headers: Record<string, string> = { 'X-CSRF-Token': csrf, Accept: 'application/json' };
  let url: string;
  let body: BodyInit;
  if (item.kind === 'photo') {
    url = `/api/orders/${encodeURIComponent(item.orderId)}/photos`;
    headers['Content-Type'] = 'image/jpeg';
    headers['X-Client-Id'] = item.clientId;
    body = item.jpeg;
  } else {
    url = `/api/orders/${encodeURIComponent(item.orderId)}/transition`;
    headers['Content-Type'] = 'application/json';
    const { action, outcome, note, where, clientId } = item;
    body = JSON.stringify({ action, outcome, note, where, clientId });
  }
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers,
      body,
      credentials: 'same-origin',
      signal: AbortSignal.timeout(TIMEOUT_MS[item.kind]),
    });
    const text = await res.text();
    let error = res.statusText;
    try {
      error = (JSON.parse(text) as { error?: string }).error ?? error;
    } catch {
      // Not JSON (a proxy's page): the status text says enough.
    }
    return { status: res.status, error };
  } catch {
    // No answer (no signal, a timeout): the page says so in its own words.
    return { status: null, error: '' };
  }
}

export interface Sender {
  /** Try now (something added, network back). */
  kick(): void;
}

export function createSender(d: SenderDeps): Sender {
  let running = false;
  let again = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let blocked = false;

  const settle = async (item: OutboxItem, verdict: Verdict, error: string): Promise<boolean> => {
    if (verdict === 'sent') await d.db.remove(item.seq);
    else if (verdict === 'refused') await d.db.put({ ...item, refused: true, lastError: error });
    else await d.db.put({ ...item, attempts: item.attempts + 1, lastError: error });
    d.changed(await d.db.items());
    if (verdict === 'login') {
      blocked = true;
      d.loginNeeded();
    }
    if (verdict === 'retry') timer = setTimeout(kick, retryDelayMs(item.attempts + 1));
    return verdict === 'sent' || verdict === 'refused';
  };

  const drain = async (): Promise<void> => {
    for (;;) {
      const item = nextToSend(await d.db.items());
      if (!item || blocked) return;
      const { status, error } = await post(item, d.csrf());
      if (!(await settle(item, verdictOf(status), error))) return;
    }
  };

  function kick(): void {
    clearTimeout(timer);
    if (running) {
      again = true;
      return;
    }
    running = true;
    drain()
      .catch((err: unknown) => console.error('outbox', err))
      .finally(() => {
        running = false;
        if (again) {
          again = false;
          kick();
        }
      });
  }

  return {
    kick: () => {
      blocked = false;
      kick();
    },
  };
}
