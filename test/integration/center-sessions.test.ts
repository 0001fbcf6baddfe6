import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CenterConfig, parseCenterConfig } from '../../agent/src/center/config.ts';
import { type Center, startCenter } from '../../agent/src/center/service.ts';
import { silentLogger } from '../../agent/src/core/log.ts';
import { setPassword } from '../../agent/src/web/passwords.ts';
import { signIn } from '../helpers/center-session.ts';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.ts';
import { freePort } from '../helpers/ports.ts';
import { type Postgres, startPostgres } from '../helpers/postgres.ts';

/**
 * Console sessions kept by the archive, with the real `jifang center`, mosquitto and PostgreSQL: a restart logs
 * nobody out, and a second instance on the same PostgreSQL serves the first one's sessions.
 */
describe('jifang center sessions on a shared PostgreSQL', () => {
  let dir: string;
  let broker: Mosquitto;
  let pg: Postgres;
  let users: string;
  let storageUrl: string;
  const centers: Center[] = [];

  const config = async (clientId: string): Promise<CenterConfig> =>
    parseCenterConfig(
      { mqtt: { url: broker.url, clientId }, storage: { kind: 'postgres', url: storageUrl }, http: { port: await freePort() }, users },
      'center-sessions.yaml',
      dir,
    );
  const start = async (clientId: string): Promise<Center> => {
    const c = await startCenter(await config(clientId), silentLogger);
    centers.push(c);
    return c;
  };
  const stop = async (c: Center) => {
    centers.splice(centers.indexOf(c), 1);
    await c.close();
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jifang-center-sessions-'));
    users = join(dir, 'users');
    await setPassword(users, 'olga', 'operator', 'operator-pass-1');
    broker = await startMosquitto();
    pg = await startPostgres();
    storageUrl = pg.createDatabase('center_sessions');
  }, 120_000);

  afterAll(async () => {
    for (const c of centers) await c.close();
    await broker?.stop();
    pg?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const login = (c: Center) => signIn(c.url, 'olga', 'operator-pass-1');
  const session = async (c: Center, cookie: string) => {
    const res = await fetch(`${c.url}/api/session`, { headers: { Cookie: cookie } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('a restart on the same store keeps the operator signed in', async () => {
    const first = await start('sessions-a');
    const { cookie, csrf } = await login(first);
    expect(await session(first, cookie)).toEqual({ status: 200, body: { user: 'olga', role: 'operator', csrf } });
    await stop(first);
    const restarted = await start('sessions-a');
    expect(await session(restarted, cookie)).toEqual({ status: 200, body: { user: 'olga', role: 'operator', csrf } });
    await stop(restarted);
  }, 120_000);

  it('a second instance accepts the cookie of the first, and a logout at one ends the session at both', async () => {
    const a = await start('sessions-a');
    const b = await start('sessions-b');
    const { cookie, csrf } = await login(a);
    expect(await session(b, cookie)).toEqual({ status: 200, body: { user: 'olga', role: 'operator', csrf } });
    const out = await fetch(`${b.url}/api/logout`, { method: 'POST', headers: { Cookie: cookie, 'X-CSRF-Token': csrf } });
    expect(out.status).toBe(200);
    expect((await session(a, cookie)).status).toBe(401);
    expect((await session(b, cookie)).status).toBe(401);
  }, 120_000);
});
