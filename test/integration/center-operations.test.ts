import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCenterConfig } from '../../agent/src/center/config.ts';
import { type Center, startCenter } from '../../agent/src/center/service.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { setPassword } from '../../agent/src/web/passwords.ts';
import { signIn } from '../helpers/center-session.ts';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.ts';
import { projectRoot } from '../helpers/paths.ts';
import { freePort } from '../helpers/ports.ts';

/**
 * What operations ask of a real center on a real mosquitto: `jifang center healthcheck CONFIG` (the command the
 * container's HEALTHCHECK and the systemd timer run, as a child process) — ok while both are up, the reason when the
 * broker is gone or the center does not answer — and `/metrics` behind a bearer token read from a file or an admin's
 * session.
 */
let dir: string;
let broker: Mosquitto;
let center: Center | undefined;
let file: string;
const TOKEN = 'prometheus-secret-7f3a9c';
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jifang-center-health-'));
  broker = await startMosquitto();
  const users = join(dir, 'users');
  await setPassword(users, 'root', 'admin', 'admin-pass-1');
  await setPassword(users, 'olga', 'operator', 'operator-pass-1');
  writeFileSync(join(dir, 'metrics-token'), `${TOKEN}\n`);
  file = join(dir, 'center.yaml');
  writeFileSync(
    file,
    JSON.stringify({
      mqtt: { url: broker.url, clientId: 'center-health', protocolVersion: 5 },
      storage: { kind: 'sqlite', path: 'center.db' },
      http: { host: '0.0.0.0', port: await freePort(), metricsToken: { file: join(dir, 'metrics-token') } },
      users,
    }),
  );
  center = await startCenter(loadCenterConfig(file), silentLogger);
}, 60_000);
afterAll(async () => {
  await center?.close();
  await broker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The CLI in a child process; asynchronously, as the center it asks runs in this one. */
const healthcheck = () =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [join(projectRoot, 'bin/jifang.mjs'), 'center', 'healthcheck', file],
      { encoding: 'utf8', env: { ...process.env, JIFANG_RUN_FROM: 'source' }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ status: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });

describe('jifang center healthcheck', { timeout: 120_000 }, () => {
  it('exits 0 with "ok" while the center serves /healthz on its wildcard address and hears the broker', async () => {
    const r = await healthcheck();
    expect({ status: r.status, out: r.stdout }).toEqual({ status: 0, out: 'ok\n' });
  });

  it('serves /metrics with the token from its file or to an admin signed in, and to nobody else', async () => {
    const c = center!;
    const metrics = (headers: Record<string, string> = {}) => fetch(`${c.url}/metrics`, { headers, redirect: 'manual' });
    const login = async (user: string, password: string) => (await signIn(c.url, user, password)).cookie;
    const byToken = await metrics({ Authorization: `Bearer ${TOKEN}` });
    expect(byToken.status).toBe(200);
    const text = await byToken.text();
    expect(text).toMatch(/^jifang_center_broker_connected\{instance="center-health"\} 1$/m);
    expect(text).toMatch(/^jifang_center_degraded\{instance="center-health"\} 0$/m);
    expect(text).toMatch(/^jifang_center_messages_total\{outcome="deadLetters",instance="center-health"\} 0$/m);
    expect(text).toMatch(/^jifang_center_feed_clients\{instance="center-health"\} 0$/m);
    expect(text).toMatch(/^jifang_center_retention_deleted_total\{what="snapshot_age",instance="center-health"\} 0$/m);

    expect((await metrics({ Authorization: 'Bearer not-the-token' })).status).toBe(401);
    expect((await metrics()).status).not.toBe(200);
    expect((await metrics({ Cookie: await login('olga', 'operator-pass-1') })).status).toBe(403);
    const admin = await metrics({ Cookie: await login('root', 'admin-pass-1') });
    expect(admin.status).toBe(200);
    expect(await admin.text()).toMatch(/^jifang_center_broker_connected/m);
  });

  it("exits 1 with the center's reason when the broker is gone, and with the error when nothing answers", async () => {
    await broker.stop();
    const end = Date.now() + 30_000;
    while (center!.link.connected() && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
    const down = await healthcheck();
    expect(down.status).toBe(1);
    expect(down.stderr).toMatch(/\/healthz: HTTP 503 .*"mqttConnected":false/);
    const scraped = await (await fetch(`${center!.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } })).text();
    expect(scraped).toMatch(/^jifang_center_broker_connected\{instance="center-health"\} 0$/m);
    await center!.close();
    center = undefined;
    const gone = await healthcheck();
    expect(gone.status).toBe(1);
    expect(gone.stderr).toMatch(/127\.0\.0\.1:\d+\/healthz: .*ECONNREFUSED/);
  });
});
