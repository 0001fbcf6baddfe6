import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseCenterConfig } from '../../agent/src/center/config.ts';
import { type Center, startCenter } from '../../agent/src/center/service.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { setPassword } from '../../agent/src/web/passwords.ts';
import { launchBrowser, type TestBrowser } from '../helpers/browser.ts';
import { runFleet } from '../helpers/fleet-simulator.ts';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.ts';
import { type Postgres, startPostgres } from '../helpers/postgres.ts';

/**
 * A district's fleet against one `jifang center`, all real: 100 boxes × 16 cameras (health every 10 s, alerts at a
 * street's rate with 1280-pixel snapshots) → mosquitto → the center → PostgreSQL, and PostgreSQL stopped for 30 s in
 * the middle. Everything the boxes published is archived once, the latest health of every camera included, and while
 * the database is down the center says so: /healthz and the open console page's live indicator.
 */
let dir: string;
let broker: Mosquitto;
let pgServer: Postgres;
let center: Center;
let url: string;
let browser: TestBrowser & { pageErrors: string[] };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jifang-center-fleet-'));
  // The center's session holds what arrives while the database is down: no queue limit.
  broker = await startMosquitto({ extraConfig: 'allow_anonymous true\nmax_queued_messages 0' });
  pgServer = await startPostgres();
  browser = await launchBrowser();
  const users = join(dir, 'users');
  await setPassword(users, 'olga', 'operator', 'operator-pass-1');
  url = pgServer.createDatabase('fleet');
  const cfg = parseCenterConfig(
    {
      mqtt: { url: broker.url, sharedGroup: 'fleet', clientId: 'center-fleet' },
      storage: { kind: 'postgres', url, poolSize: 4 },
      http: { port: 0 },
      users,
    },
    'fleet.yaml',
    dir,
  );
  center = await startCenter(cfg, silentLogger);
}, 120_000);

afterAll(async () => {
  await center?.close();
  await browser?.close();
  await broker?.stop();
  pgServer?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const healthz = async () => {
  const res = await fetch(`${center.url}/healthz`);
  return { status: res.status, body: (await res.json()) as { ok: boolean; degraded?: string } };
};

async function consolePage(): Promise<Page> {
  const { page } = await browser.page({ lang: 'en-US' });
  await page.goto(`${center.url}/login`);
  await page.fill('#user', 'olga');
  await page.fill('#password', 'operator-pass-1');
  await page.click('#login-submit');
  await page.waitForSelector('#live.on', { timeout: 30_000 });
  return page;
}

it('100 boxes × 16 cameras with PostgreSQL stopped for 30 s: nothing lost, nothing doubled, and the console says the archive is degraded meanwhile', async () => {
  const page = await consolePage();
  const seen = { degradedHealthz: false, degradedPage: false };
  const run = await runFleet({
    url: broker.url,
    boxes: 100,
    cameras: 16,
    seconds: 75,
    onSecond: async (s) => {
      if (s === 15) pgServer.stop();
      if (s > 15 && s < 45 && !seen.degradedHealthz) {
        const h = await healthz();
        seen.degradedHealthz = h.status === 503 && /the archive has refused writes since/.test(h.body.degraded ?? '');
      }
      if (s > 15 && s < 45 && !seen.degradedPage) {
        seen.degradedPage = (await page.$('#live.archive-down')) !== null;
        if (seen.degradedPage) expect(await page.textContent('#live')).toContain('archive degraded');
      }
      if (s === 45) pgServer.restart();
    },
  });
  expect(seen).toEqual({ degradedHealthz: true, degradedPage: true });
  await page.waitForSelector('#live.on', { timeout: 60_000 });

  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const rows = async (sql: string) => (await db.query(sql)).rows as Record<string, unknown>[];
    // The machine is shared: wait as long as the archive keeps growing, fail only when it stops short.
    const archived = async () => Number((await rows('SELECT COUNT(*) AS n FROM event_messages'))[0].n);
    let last = -1;
    for (let lastGrowth = Date.now(); Date.now() - lastGrowth < 60_000; await new Promise((r) => setTimeout(r, 1000))) {
      const n = await archived();
      if (n >= run.events.length) break;
      if (n > last) lastGrowth = Date.now();
      last = n;
    }
    const messages = (await rows('SELECT site, event_id, seq FROM event_messages')).map((r) => `${r.site}/${r.event_id}/${r.seq}`);
    expect(messages.length).toBe(run.events.length);
    expect(new Set(messages)).toEqual(new Set(run.events));
    expect(Number((await rows('SELECT COUNT(*) AS n FROM snapshots'))[0].n)).toBe(run.snapshots.size);
    expect(Number((await rows('SELECT COUNT(*) AS n FROM dead_letters'))[0].n)).toBe(0);
    // Each camera's latest health, the one the box sent last.
    await expect
      .poll(
        async () => {
          const cams = await rows('SELECT site, camera, health_at FROM cameras WHERE health_at IS NOT NULL');
          return cams.filter((c) => run.latestHealth.get(`${c.site}/${c.camera}`) === new Date(Number(c.health_at)).toISOString()).length;
        },
        { timeout: 60_000, interval: 1000 },
      )
      .toBe(run.latestHealth.size);
    expect(run.latestHealth.size).toBe(1600);
    expect(center.counters).toMatchObject({ rejected: 0, deadLetters: 0 });
    expect(center.counters.storeFailures).toBeGreaterThan(0);
    expect((await healthz()).status).toBe(200);
    expect(browser.pageErrors).toEqual([]);
    console.log(
      `fleet: ${run.messages.total} messages (${run.messages.health} health, ${run.messages.events} events, ${run.messages.snapshots} snapshots); center counters ${JSON.stringify(center.counters)}`,
    );
  } finally {
    await db.end();
  }
}, 600_000);
