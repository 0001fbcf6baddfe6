import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCenterConfig } from '../../agent/src/center/config.ts';
import { type Center, startCenter } from '../../agent/src/center/service.ts';
import { setPassword } from '../../agent/src/web/passwords.ts';
import { launchBrowser, type TestBrowser } from '../helpers/browser.ts';
import { signedInPage, signIn } from '../helpers/center-session.ts';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.ts';
import { freePort } from '../helpers/ports.ts';

/**
 * Accounts managed in the center's UI by an admin, all real: mosquitto, `jifang center` on SQLite, headless Chromium,
 * the users file `jifang passwd` writes. A non-admin is refused by the API and not shown the page's link.
 */
let dir: string;
let users: string;
let broker: Mosquitto;
let center: Center | undefined;
let browser: TestBrowser & { pageErrors: string[] };
/** The center's log lines: its console audit entries among them. */
const logged: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jifang-center-admin-'));
  broker = await startMosquitto();
  browser = await launchBrowser();
  users = join(dir, 'users');
  await setPassword(users, 'root', 'admin', 'admin-pass-1');
  await setPassword(users, 'olga', 'operator', 'operator-pass-1');
  const cfg = parseCenterConfig(
    {
      mqtt: { url: broker.url, clientId: 'center-admin' },
      storage: { kind: 'sqlite', path: join(dir, 'center.db') },
      http: { port: await freePort() },
      users,
      forwarders: [{ id: 'city', name: '城管平台', url: 'https://hook:s3cret-pw@platform.example/in?key=abc123' }],
    },
    'center-admin.yaml',
    dir,
  );
  center = await startCenter(cfg, pino({ level: 'info' }, { write: (line: string) => void logged.push(line) }));
}, 120_000);

afterAll(async () => {
  await center?.close();
  await browser?.close();
  await broker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const login = (user: string, password: string, lang = 'zh-CN'): Promise<Page> =>
  signedInPage(browser, center!.url, user, password, { lang });

describe('accounts in the center UI (mosquitto, SQLite, Chromium)', () => {
  it('an admin adds a dispatcher, resets the password; the new user logs in with it and has the role', async () => {
    const page = await login('root', 'admin-pass-1');
    await page.click('#nav-admin');
    await page.waitForSelector('#accounts tr[data-user="olga"]');
    await page.fill('#new-user', 'wei');
    await page.selectOption('#new-role', 'dispatcher');
    await page.fill('#new-password', 'first-pass-1');
    await page.click('#new-submit');
    await page.waitForSelector('#accounts tr[data-user="wei"]');
    expect(await page.textContent('#admin-result')).toContain('已保存');
    expect(await page.inputValue('#role-wei')).toBe('dispatcher');

    await page.fill('#password-wei', 'second-pass-2');
    await page.click('button[data-reset="wei"]');
    await page.waitForFunction(() =>
      (globalThis as unknown as { document: { getElementById(id: string): { textContent: string } | null } }).document
        .getElementById('admin-result')
        ?.textContent.includes('重置密码'),
    );
    // The settings, read-only, with the forwarder's address but not its password or key.
    expect(await page.textContent('#settings-running')).toContain('城管平台 (https://platform.example/…)');
    expect(await page.textContent('#settings')).not.toMatch(/s3cret|abc123/);
    await browser.screenshot(page, 'center-admin-accounts-zh');

    // The old password no longer opens; the reset one does, with the role given.
    const { page: refused } = await browser.page();
    const old = await refused.request.post(`${center!.url}/api/login`, {
      data: { user: 'wei', password: 'first-pass-1' },
      headers: { Origin: center!.url },
    });
    expect(old.status()).toBe(401);
    const wei = await login('wei', 'second-pass-2', 'en-US');
    expect(await wei.textContent('#who')).toBe('wei · dispatcher');
    expect(await wei.$('#nav-admin')).toBeNull();

    // Audited with who and what, never the password.
    const audit = logged.filter((l) => l.includes('console audit')).join('');
    expect(audit).toContain('"user added"');
    expect(audit).toContain('"passwordReset":true');
    expect(audit).not.toContain('second-pass-2');
    expect(browser.pageErrors).toEqual([]);
  }, 120_000);

  it('a short password and an existing name are refused in words; an admin cannot remove himself', async () => {
    const root = await signIn(center!.url, 'root', 'admin-pass-1');
    const short = await root.json<{ error: string }>('POST', '/api/admin/users', { user: 'li', role: 'operator', password: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.error).toContain('at least 8 characters');
    const twice = await root.json<{ error: string }>('POST', '/api/admin/users', {
      user: 'olga',
      role: 'admin',
      password: 'long-enough-1',
    });
    expect(twice.status).toBe(409);
    expect((await root.json('DELETE', '/api/admin/users/root')).status).toBe(409);
    expect(readFileSync(users, 'utf8')).toMatch(/^olga:operator:/m);
  });

  it('a non-admin gets 403 from every admin API and changes nothing', async () => {
    const olga = await signIn(center!.url, 'olga', 'operator-pass-1');
    const before = readFileSync(users, 'utf8');
    expect((await olga.json('GET', '/api/admin/users')).status).toBe(403);
    expect((await olga.json('GET', '/api/admin/settings')).status).toBe(403);
    expect((await olga.json('POST', '/api/admin/users', { user: 'eve', role: 'admin', password: 'eve-pass-123' })).status).toBe(403);
    expect((await olga.json('PUT', '/api/admin/users/olga', { role: 'admin' })).status).toBe(403);
    expect((await olga.json('DELETE', '/api/admin/users/root')).status).toBe(403);
    expect(readFileSync(users, 'utf8')).toBe(before);
  });

  it('a role changed or a user removed ends their open sessions: they log in again, with the new role', async () => {
    const root = await signIn(center!.url, 'root', 'admin-pass-1');
    const olga = await signIn(center!.url, 'olga', 'operator-pass-1');
    expect((await olga.json('GET', '/api/session')).status).toBe(200);
    expect((await root.json('PUT', '/api/admin/users/olga', { role: 'dispatcher' })).status).toBe(200);
    expect((await olga.json('GET', '/api/session')).status).toBe(401);
    const again = await signIn(center!.url, 'olga', 'operator-pass-1');
    expect((await again.json<{ role: string }>('GET', '/api/session')).body.role).toBe('dispatcher');

    expect((await root.json('DELETE', '/api/admin/users/olga')).status).toBe(200);
    expect((await again.json('GET', '/api/session')).status).toBe(401);
    await expect(signIn(center!.url, 'olga', 'operator-pass-1')).rejects.toThrow(/refused: 401/);
  });
});
