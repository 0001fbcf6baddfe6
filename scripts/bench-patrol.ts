/**
 * `npm run bench:patrol`: the officer's phone page on this machine (not a test).
 *   1. alert published → task visible to the officer, p50/p99, with 200 officers connected: 199 simulated phones (Node
 *      clients of `GET /api/patrol/feed`, each its own login) and one real phone page in headless Chromium (390×844);
 *      the alert opens an order by itself (`patrol.autoOpen`) and a scripted dispatcher sends it the moment the
 *      desktop feed shows it (a person takes seconds here: the figure is the system's part);
 *   2. the taps on the real page from the task's arrival to "handled with photo" (and the server's word that it is).
 * Real mosquitto, the center on SQLite, Debian's Chromium.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { parseCenterConfig } from '../agent/src/center/config.ts';
import type { Order } from '../agent/src/center/patrol/schema.ts';
import { startCenter } from '../agent/src/center/service.ts';
import { alertSchema } from '../agent/src/contract/alert.ts';
import { silentLogger } from '../agent/src/core/log.ts';
import { hashPassword, setPassword } from '../agent/src/web/passwords.ts';
import { makeAlert, streetJpeg } from '../test/helpers/box-simulator.ts';
import { launchBrowser } from '../test/helpers/browser.ts';
import { signIn } from '../test/helpers/center-session.ts';
import { startMosquitto } from '../test/helpers/mosquitto.ts';
import { projectRoot } from '../test/helpers/paths.ts';

const OFFICERS = Number(process.env.BENCH_OFFICERS ?? 200);
const TEAMS = Number(process.env.BENCH_TEAMS ?? 10);
const PROBES = Number(process.env.BENCH_PROBES ?? 60);
const BASE = { lon: 121.4738, lat: 31.2305 };
const PHOTO = join(projectRoot, '..', 'shared', 'plates', 'hyperlpr-test_img.jpg');
const site = 'bench-box';
const CATEGORY = { id: 'street_vending', name: '占道经营', nameEn: 'Street vending', code: '09006', catalogueVersion: 'bench' };

const dir = mkdtempSync(join(tmpdir(), 'jifang-bench-patrol-'));
const broker = await startMosquitto({ extraConfig: 'allow_anonymous true' });
const users = join(dir, 'users');
await setPassword(users, 'dora', 'dispatcher', 'bench-pass-1');
await setPassword(users, 'adam', 'admin', 'bench-pass-1');
const officers = Array.from({ length: OFFICERS }, (_, i) => `officer-${String(i).padStart(3, '0')}`);
// One scrypt hash for all 200 (each made apart costs 0.1 s of CPU for nothing here).
const officerHash = await hashPassword('bench-pass-1');
appendFileSync(users, officers.map((o) => `${o}:patrol:${officerHash}\n`).join(''));
const cfg = parseCenterConfig(
  {
    mqtt: { url: broker.url, clientId: 'bench-patrol' },
    storage: { kind: 'sqlite', path: join(dir, 'center.db') },
    http: { port: 0 },
    users,
    logLevel: 'silent',
    patrol: { autoOpen: [{ types: ['street_vending'] }] },
  },
  'bench-patrol.yaml',
  dir,
);
const center = await startCenter(cfg, silentLogger);
const admin = await signIn(center.url, 'adam', 'bench-pass-1');
const teamOf = (i: number) => `team-${i % TEAMS}`;
for (let t = 0; t < TEAMS; t++) {
  const members = officers.filter((_, i) => i % TEAMS === t);
  await admin.json('PUT', `/api/units/team-${t}`, { name: `第${t + 1}中队`, kind: 'team', members, area: [], duty: [] });
}

/** Server-sent events of one client: calls `on(type, data)` for each, until closed. */
function listen(path: string, cookie: string, on: (type: string, data: string) => void): AbortController {
  const stop = new AbortController();
  void (async () => {
    const res = await fetch(`${center.url}${path}`, { headers: { Cookie: cookie, Accept: 'text/event-stream' }, signal: stop.signal });
    const decoder = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      for (let end = buf.indexOf('\n\n'); end >= 0; end = buf.indexOf('\n\n')) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const type = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        on(
          type,
          block
            .split('\n')
            .filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6))
            .join('\n'),
        );
      }
    }
  })().catch(() => {});
  return stop;
}

const published = new Map<string, number>();
const dispatchedAt = new Map<string, number>();
const phoneMs: number[] = [];
const dispatchToPhoneMs: number[] = [];
const seen = new Set<string>();

// 199 simulated phones (the first officer is the real page).
const feeds: AbortController[] = [];
for (const o of officers.slice(1)) {
  const s = await signIn(center.url, o, 'bench-pass-1');
  await s.json('POST', '/api/patrol/duty', { onDuty: true });
  feeds.push(
    listen('/api/patrol/feed', s.cookie, (type, data) => {
      if (type !== 'task') return;
      const order = JSON.parse(data) as Order;
      const key = `${o}/${order.id}`;
      const t0 = published.get(order.events[0]?.id ?? '');
      if (order.state !== 'dispatched' || seen.has(key) || t0 === undefined) return;
      seen.add(key);
      phoneMs.push(Date.now() - t0);
      dispatchToPhoneMs.push(Date.now() - dispatchedAt.get(order.id)!);
    }),
  );
}

// The dispatcher: sends each automatically opened order to its team the moment the desktop feed shows it.
const dora = await signIn(center.url, 'dora', 'bench-pass-1');
const probeTeam = new Map<string, string>();
feeds.push(
  listen('/api/stream', dora.cookie, (type, data) => {
    if (type !== 'order') return;
    const order = JSON.parse(data) as Order;
    const team = probeTeam.get(order.events[0]?.id ?? '');
    if (order.state !== 'filed' || !team || dispatchedAt.has(order.id)) return;
    dispatchedAt.set(order.id, Date.now());
    void dora.json('POST', `/api/orders/${order.id}/transition`, { action: 'dispatch', unitId: team, clientId: randomUUID() });
  }),
);

// The real phone page: officer-000 of team-0, its task arrivals stamped in the page by a MutationObserver.
const browser = await launchBrowser();
const { context, page } = await browser.page({ lang: 'zh-CN', width: 390, height: 844 });
await context.grantPermissions(['geolocation'], { origin: center.url });
await context.setGeolocation({ longitude: BASE.lon, latitude: BASE.lat, accuracy: 8 });
await context.addInitScript(`
  window.__seen = {};
  new MutationObserver(() => {
    for (const el of document.querySelectorAll('.task[id^="task-wo-"], [data-order]')) {
      const id = el.id ? el.id.slice(5) : el.getAttribute('data-order');
      if (!(id in window.__seen)) window.__seen[id] = Date.now();
    }
  }).observe(document, { subtree: true, childList: true });
`);
await page.goto(`${center.url}/login`);
await page.fill('#user', officers[0]);
await page.fill('#password', 'bench-pass-1');
await page.click('#login-submit');
await page.waitForSelector('body:not([data-duty="unknown"])');
// The team is on duty already when another of its officers went on duty before.
if (await page.$('body[data-duty="off"]')) await page.click('#duty');
await page.waitForSelector('body[data-duty="on"]');

const box = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: `jifang-${site}-box` });
const jpeg = await streetJpeg();
const pageProbes: { orderId?: string; eventId: string }[] = [];
for (let i = 0; i < PROBES; i++) {
  const id = `bench-${i}`;
  const team = teamOf(i);
  // 200 m apart: no probe joins another's order.
  const spot = { lon: BASE.lon + (i * 200) / 95_000, lat: BASE.lat };
  const alert = alertSchema.parse({
    ...makeAlert({ site, camera: 'cam-1', id, seq: 0, state: 'started', jpeg, type: 'street_vending', ...spot }),
    category: CATEGORY,
  });
  probeTeam.set(id, team);
  await box.publishAsync(alert.evidence.snapshot!.topic, jpeg, { qos: 1 });
  published.set(id, Date.now());
  await box.publishAsync(`jifang/v1/${site}/cam-1/events`, JSON.stringify(alert), { qos: 1 });
  if (team === 'team-0') pageProbes.push({ eventId: id });
  await new Promise((r) => setTimeout(r, 300));
  if (team === 'team-0') {
    await page.waitForSelector('.task[data-state="dispatched"]', { timeout: 20_000 });
    // Back to the list, so the next task opens by itself as a first one would; the last one stays open for the taps.
    if (i + TEAMS < PROBES) await page.click('#back');
  }
}
await new Promise((r) => setTimeout(r, 3000));

const pageSeen = (await page.evaluate('window.__seen')) as Record<string, number>;
const orders = (await dora.json<{ orders: Order[] }>('GET', '/api/orders?limit=2000')).body.orders;
const pageMs = pageProbes.flatMap((p) => {
  const o = orders.find((x) => x.events[0]?.id === p.eventId);
  const at = o ? pageSeen[o.id] : undefined;
  return at !== undefined && o ? [at - published.get(p.eventId)!] : [];
});

// The taps from a task's arrival to "handled with photo", counted as the page is driven.
let taps = 0;
const tap = async (selector: string) => {
  taps++;
  await page.click(selector);
};
const last = orders.find((o) => o.events[0]?.id === pageProbes.at(-1)?.eventId)!;
await page.waitForSelector(`#task-${last.id}`);
await tap('#act-accept');
await tap('#act-arrive');
await tap('#outcome-corrected');
taps++;
await page.setInputFiles('#photo-input', PHOTO);
await page.waitForSelector('#photo-count[data-count="1"]');
await tap('#act-handle');
let handled: Order | undefined;
for (let i = 0; i < 100 && !(handled?.state === 'handled' && handled.photos.length === 1); i++) {
  await new Promise((r) => setTimeout(r, 100));
  handled = (await dora.json<Order>('GET', `/api/orders/${last.id}`)).body;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : Number.NaN;
};
const line = (what: string, xs: number[]) =>
  console.log(
    `${what.padEnd(58)} p50 ${String(pct(xs, 50)).padStart(5)} ms   p99 ${String(pct(xs, 99)).padStart(5)} ms   (n=${xs.length})`,
  );
console.log(
  `\npatrol phone — ${OFFICERS} officers connected (${OFFICERS - 1} simulated phones + 1 Chromium page), ${TEAMS} teams, ${PROBES} alerts`,
);
line('alert published → task received, simulated phones', phoneMs);
line('dispatch sent → task received, simulated phones', dispatchToPhoneMs);
line('alert published → task visible on the real page', pageMs);
console.log(
  `taps from the task's arrival (opened by itself) to "handled with photo": ${taps} (accept, arrived, outcome, photo, done; plus the camera app's shutter) — server: ${handled?.state}, ${handled?.photos.length} photo(s)`,
);

for (const f of feeds) f.abort();
await box.endAsync();
await browser.close();
await center.close();
await broker.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
