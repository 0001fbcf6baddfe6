import type { Logger } from '../../core/log.ts';
import { readSecret } from '../../core/secrets.ts';
import type { ForwarderConfig } from '../config.ts';
import { renderTemplate } from '../forward.ts';
import type { WarningConfig } from './config.ts';
import type { ShopContact } from './schema.ts';
import { areaHolds } from './units.ts';

/** The order's words a warning template may use. */
export interface WarningWords {
  orderId: string;
  category: string;
  categoryName: string;
  address: string;
  time: string;
  lon: number;
  lat: number;
}

/** The local time of day `at` in the city's zone, HH:MM. Pure. */
export function localTime(at: number, offsetMinutes: number): string {
  return new Date(at + offsetMinutes * 60_000).toISOString().slice(11, 16);
}

/** The warning's text with the order's words in it. Pure. */
export function warningText(w: Pick<WarningConfig, 'text'>, words: WarningWords): string {
  return String(renderTemplate(w.text, { ...words }));
}

/** The device call as it goes out: URL, method, headers and body with the order's words. Pure. */
export function warningRequest(
  http: NonNullable<WarningConfig['http']>,
  words: WarningWords,
): { url: string; method: string; headers: Record<string, string>; body?: string } {
  const url = http.url.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => encodeURIComponent(String(words[k as keyof WarningWords] ?? '')));
  if (http.body === undefined || http.method === 'GET') return { url, method: http.method, headers: http.headers };
  const rendered = renderTemplate(http.body, { ...words });
  const text = typeof rendered === 'string';
  return {
    url,
    method: http.method,
    headers: { 'content-type': text ? 'text/plain; charset=utf-8' : 'application/json', ...http.headers },
    body: text ? rendered : JSON.stringify(rendered),
  };
}

/** The shop contacts of a spot: registered for one of the cameras that saw it (`site/camera`), or for an area holding it. Pure. */
export function contactsOfSpot(contacts: readonly ShopContact[], cameras: readonly string[], lon: number, lat: number): ShopContact[] {
  return contacts.filter((c) => c.cameras.some((x) => cameras.includes(x)) || areaHolds(c.area, lon, lat));
}

/**
 * Gives the warning: the device call and/or one message through the forwarder to each shop contact of the spot
 * (none registered: no message). A failure is logged and reported (the wait goes on: the box may still see the
 * violation cleared), never thrown.
 */
export async function sendWarning(
  w: WarningConfig,
  words: WarningWords,
  to: { forwarders: readonly ForwarderConfig[]; contacts: readonly ShopContact[] },
  log: Logger,
): Promise<string[]> {
  const problems: string[] = [];
  const attempt = async (what: string, call: () => Promise<Response>) => {
    try {
      const res = await call();
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) problems.push(`${what}: HTTP ${res.status}`);
    } catch (err) {
      problems.push(`${what}: ${(err as Error).message}`);
    }
  };
  if (w.http) {
    const r = warningRequest(w.http, words);
    const timeout = AbortSignal.timeout(w.http.timeoutSeconds * 1000);
    await attempt('device', () =>
      fetch(r.url, { method: r.method, headers: r.headers, ...(r.body !== undefined ? { body: r.body } : {}), signal: timeout }),
    );
  }
  const f = w.forwarder ? to.forwarders.find((x) => x.id === w.forwarder) : undefined;
  if (w.forwarder && !f) problems.push(`forwarder ${w.forwarder}: not configured`);
  if (f) {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...f.headers };
    if (f.token !== undefined) headers.authorization = `Bearer ${readSecret(f.token, `forwarders.${f.id}.token`)}`;
    const text = warningText(w, words);
    for (const c of to.contacts) {
      const body = JSON.stringify({ kind: 'patrol_warning', text, to: { contact: c.id, name: c.name, phone: c.phone }, order: words });
      await attempt(`forwarder ${f.id} to ${c.id}`, () =>
        fetch(f.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(f.timeoutSeconds * 1000) }),
      );
    }
  }
  const contacts = f ? to.contacts.map((c) => c.id) : [];
  if (f && !contacts.length) log.info({ orderId: words.orderId }, 'no shop contact registered for the spot: no message sent');
  if (problems.length) log.warn({ orderId: words.orderId, problems, contacts }, 'patrol warning not fully delivered');
  else log.info({ orderId: words.orderId, contacts }, 'patrol warning given');
  return problems;
}
