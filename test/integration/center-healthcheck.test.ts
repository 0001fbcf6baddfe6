import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCenterConfig } from '../../agent/src/center/config.ts';
import { type Center, startCenter } from '../../agent/src/center/service.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { setPassword } from '../../agent/src/web/passwords.ts';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.ts';
import { projectRoot } from '../helpers/paths.ts';
import { freePort } from '../helpers/ports.ts';

/**
 * `jifang center healthcheck CONFIG`, the command the container's HEALTHCHECK and the systemd timer run, as a child
 * process against a real center on a real mosquitto: ok while both are up, the reason when the broker is gone or the
 * center does not answer.
 */
let dir: string;
let broker: Mosquitto;
let center: Center | undefined;
let file: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jifang-center-health-'));
  broker = await startMosquitto();
  const users = join(dir, 'users');
  await setPassword(users, 'root', 'admin', 'admin-pass-1');
  file = join(dir, 'center.yaml');
  writeFileSync(
    file,
    JSON.stringify({
      mqtt: { url: broker.url, clientId: 'center-health', protocolVersion: 5 },
      storage: { kind: 'sqlite', path: 'center.db' },
      http: { host: '0.0.0.0', port: await freePort() },
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

  it("exits 1 with the center's reason when the broker is gone, and with the error when nothing answers", async () => {
    await broker.stop();
    const end = Date.now() + 30_000;
    while (center!.link.connected() && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
    const down = await healthcheck();
    expect(down.status).toBe(1);
    expect(down.stderr).toMatch(/\/healthz: HTTP 503 .*"mqttConnected":false/);
    await center!.close();
    center = undefined;
    const gone = await healthcheck();
    expect(gone.status).toBe(1);
    expect(gone.stderr).toMatch(/127\.0\.0\.1:\d+\/healthz: .*ECONNREFUSED/);
  });
});
