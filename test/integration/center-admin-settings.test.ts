import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCenterConfig } from '../../agent/src/center/config.ts';
import { type Center, startCenter } from '../../agent/src/center/service.ts';
import type { CenterConfigView, CenterSettings } from '../../agent/src/center/wire.ts';
import { sha256Hex } from '../../agent/src/core/hash.ts';
import { setPassword } from '../../agent/src/web/passwords.ts';
import { labelledJpeg, makeAlert, streetJpeg } from '../helpers/box-simulator.ts';
import { launchBrowser, type TestBrowser } from '../helpers/browser.ts';
import { signedInPage, signIn } from '../helpers/center-session.ts';
import { startPlatform } from '../helpers/http-platform.ts';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.ts';
import { type Postgres, startPostgres } from '../helpers/postgres.ts';
import { until } from '../helpers/until.ts';

/**
 * The center's settings and forwarders edited by an admin through /api/admin, all real: mosquitto, `jifang center` on
 * SQLite and on PostgreSQL with its YAML file, a local HTTP platform that receives what is forwarded.
 */
const CATEGORIES = [
  { id: 'street_vending', name: { zh: '占道经营', en: 'Street vending' }, code: '09006' },
  { id: 'illegal_parking', name: { zh: '违章停车', en: 'Illegal parking' }, code: null },
];

describe.each(['sqlite', 'postgres'] as const)('settings and forwarders edited from /admin on %s', (kind) => {
  let dir: string;
  let file: string;
  let broker: Mosquitto;
  let pg: Postgres | undefined;
  let center: Center | undefined;
  let hook: Awaited<ReturnType<typeof startPlatform>>;
  const logged: string[] = [];
  const audit = () => logged.filter((l) => l.includes('console audit')).join('\n');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `jifang-admin-settings-${kind}-`));
    broker = await startMosquitto();
    hook = await startPlatform();
    if (kind === 'postgres') pg = await startPostgres();
    const users = join(dir, 'users');
    await setPassword(users, 'root', 'admin', 'admin-pass-1');
    await setPassword(users, 'olga', 'operator', 'operator-pass-1');
    const storage =
      kind === 'sqlite' ? '  kind: sqlite\n  path: center.db\n' : `  kind: postgres\n  url: ${pg!.createDatabase('admin_settings')}\n`;
    file = join(dir, 'center.yaml');
    writeFileSync(
      file,
      [
        '# The city center (a comment an edit must keep)',
        'name: 测试指挥中心',
        'mqtt:',
        `  url: ${broker.url}`,
        `  clientId: admin-settings-${kind}`,
        'storage:',
        storage.trimEnd(),
        'http:',
        '  port: 0',
        'users: users',
        'retention:',
        '  snapshotDays: 90 # kept three months by the city rule',
        '',
      ].join('\n'),
    );
    const cfg = loadCenterConfig(file);
    center = await startCenter(cfg, pino({ level: 'info' }, { write: (l: string) => void logged.push(l) }), {
      configFile: file,
      categories: CATEGORIES,
    });
  }, 120_000);

  afterAll(async () => {
    await center?.close();
    await new Promise((r) => hook?.server.close(r));
    await broker?.stop();
    pg?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const forwarder = (sha: string, over: Record<string, unknown> = {}) => ({
    baseSha256: sha,
    id: 'city',
    name: '城管平台',
    url: `${hook.url}/in`,
    enabled: true,
    states: ['started'],
    categories: ['street_vending'],
    template: [
      ['msgtype', 'text'],
      ['text.content', '{{category.name}} @ {{address}}'],
      ['eventId', '{{id}}'],
    ],
    headers: { 'X-Api-Key': 'key-secret-9' },
    token: { value: 'tok-secret-1' },
    ...over,
  });

  it('refuses without a login (401) and a non-admin (403), and changes nothing', async () => {
    const before = readFileSync(file, 'utf8');
    expect((await fetch(`${center!.url}/api/admin/config`)).status).toBe(401);
    const olga = await signIn(center!.url, 'olga', 'operator-pass-1');
    const sha = sha256Hex(before);
    expect((await olga.json('GET', '/api/admin/config')).status).toBe(403);
    expect((await olga.json('PUT', '/api/admin/settings', { baseSha256: sha, dispatchReminderMinutes: 5 })).status).toBe(403);
    expect((await olga.json('POST', '/api/admin/forwarders', forwarder(sha))).status).toBe(403);
    expect((await olga.json('POST', '/api/admin/forwarders/test', forwarder(sha))).status).toBe(403);
    expect((await olga.json('DELETE', '/api/admin/forwarders/city', { baseSha256: sha })).status).toBe(403);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(hook.received).toEqual([]);
  });

  it('a bad value is refused beside its field and writes nothing', async () => {
    const root = await signIn(center!.url, 'root', 'admin-pass-1');
    const before = readFileSync(file, 'utf8');
    const { sha256 } = (await root.json<CenterConfigView>('GET', '/api/admin/config')).body;
    const bad = await root.json<{ error: string; problems: { path: string; message: string }[] }>('PUT', '/api/admin/settings', {
      baseSha256: sha256,
      dispatchReminderMinutes: 20,
      retention: { eventDays: -5 },
    });
    expect(bad.status).toBe(400);
    // A script that states no language is answered in English, the field named as the form labels it.
    expect(bad.body.error).toBe('nothing was saved: Events kept (days) (retention.eventDays): expected a value > 0, got -5');
    expect(bad.body.problems).toEqual([expect.objectContaining({ path: 'retention.eventDays' })]);
    const badUrl = await root.json<{ problems: { path: string }[] }>(
      'POST',
      '/api/admin/forwarders',
      forwarder(sha256, { url: 'ftp://x' }),
    );
    expect(badUrl.status).toBe(400);
    expect(badUrl.body.problems.map((p) => p.path)).toEqual(['url']);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(readdirSync(dir).filter((f) => f.endsWith('.bak'))).toEqual([]);
    // A page that loaded an older file is refused, not merged over a change it never saw.
    expect((await root.json('PUT', '/api/admin/settings', { baseSha256: '0'.repeat(64), dispatchReminderMinutes: 9 })).status).toBe(409);
    expect((await root.json<CenterSettings>('GET', '/api/admin/settings')).body.dispatchReminderMinutes).toBe(15);
  });

  it('settings saved are written with the comments kept, applied live (restart-only ones said), and audited before/after', async () => {
    const root = await signIn(center!.url, 'root', 'admin-pass-1');
    const { sha256 } = (await root.json<CenterConfigView>('GET', '/api/admin/config')).body;
    const saved = await root.json<{ restart: string[] }>('PUT', '/api/admin/settings', {
      baseSha256: sha256,
      name: '新名称',
      dispatchReminderMinutes: 30,
      units: ['城管一中队'],
      retention: { eventDays: 400, patrolPhotoDays: 200 },
    });
    expect(saved.status).toBe(200);
    expect(saved.body.restart).toEqual(['name']);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# The city center (a comment an edit must keep)');
    expect(text).toContain('snapshotDays: 90 # kept three months by the city rule');
    expect(text).toMatch(/eventDays: 400/);
    const live = (await root.json<CenterSettings>('GET', '/api/admin/settings')).body;
    expect(live).toMatchObject({ dispatchReminderMinutes: 30, units: ['城管一中队'], name: '测试指挥中心' });
    expect(live.retention).toMatchObject({ eventDays: 400, patrolPhotoDays: 200, snapshotDays: 90 });
    const view = (await root.json<CenterConfigView>('GET', '/api/admin/config')).body;
    expect(view.settings.name).toBe('新名称');
    expect(view.running.name).toBe('测试指挥中心');
    expect(audit()).toMatch(
      /"change":"settings changed".*"before":\{[^}]*"dispatchReminderMinutes":15.*"after":\{[^}]*"dispatchReminderMinutes":30/,
    );
    expect(audit()).toContain('"user":"root"');
  });

  it('a forwarder added from /admin delivers the next alert to a real HTTP platform; its secrets are never shown or logged', async () => {
    const root = await signIn(center!.url, 'root', 'admin-pass-1');
    const { sha256 } = (await root.json<CenterConfigView>('GET', '/api/admin/config')).body;
    const tested = await root.json<{ ok: boolean; status: number; body: string }>('POST', '/api/admin/forwarders/test', forwarder(sha256));
    expect(tested.body).toMatchObject({ ok: true, status: 200, body: '{"errcode":0,"errmsg":"ok"}' });
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]).toMatchObject({ auth: 'Bearer tok-secret-1', body: { msgtype: 'text' } });
    expect(String((hook.received[0].body.text as { content: string }).content)).toContain('测试');
    hook.received.length = 0;

    const added = await root.json('POST', '/api/admin/forwarders', forwarder(sha256));
    expect(added.status).toBe(201);
    const view = (await root.json<CenterConfigView>('GET', '/api/admin/config')).body;
    expect(view.forwarders).toEqual([
      expect.objectContaining({ id: 'city', token: { kind: 'inline' }, headers: ['X-Api-Key'], categories: ['street_vending'] }),
    ]);
    expect(JSON.stringify(view)).not.toMatch(/tok-secret-1|key-secret-9/);
    expect(audit()).toContain('"change":"forwarder added"');
    expect(audit()).not.toMatch(/tok-secret-1|key-secret-9/);

    const box = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: `admin-box-${kind}` });
    const jpeg = labelledJpeg(await streetJpeg(), 'admin');
    const category = { id: 'street_vending', name: '占道经营', nameEn: 'Street vending', catalogueVersion: 't' };
    const parked = {
      ...makeAlert({ site: 's1', camera: 'c1', id: 'ev-park', seq: 0, state: 'started', jpeg }),
      category: { ...category, id: 'illegal_parking' },
    };
    const vending = {
      ...makeAlert({ site: 's1', camera: 'c1', id: 'ev-vend', seq: 0, state: 'started', jpeg, type: 'street_vending' }),
      category,
    };
    await box.publishAsync('jifang/v1/s1/c1/events', JSON.stringify(parked), { qos: 1 });
    await box.publishAsync('jifang/v1/s1/c1/events', JSON.stringify(vending), { qos: 1 });
    await until(async () => hook.received.length > 0, 30_000);
    await box.endAsync();
    // Only the type it was given, in the platform's format, with its token and header.
    expect(hook.received.map((r) => r.key)).toEqual(['ev-vend:0']);
    expect(hook.received[0]).toMatchObject({ path: '/in', auth: 'Bearer tok-secret-1', body: { msgtype: 'text', eventId: 'ev-vend' } });

    // Disabled, then removed: both written and applied.
    const sha2 = (await root.json<CenterConfigView>('GET', '/api/admin/config')).body.sha256;
    const off = await root.json(
      'PUT',
      '/api/admin/forwarders/city',
      forwarder(sha2, { enabled: false, token: { keep: true }, headers: {} }),
    );
    expect(off.status).toBe(200);
    expect(readFileSync(file, 'utf8')).toMatch(/enabled: false/);
    expect(readFileSync(file, 'utf8')).toContain('tok-secret-1');
    const sha3 = (await root.json<CenterConfigView>('GET', '/api/admin/config')).body.sha256;
    expect((await root.json('DELETE', '/api/admin/forwarders/city', { baseSha256: sha3 })).status).toBe(200);
    expect(readFileSync(file, 'utf8')).not.toContain('id: city');
    expect(audit()).toContain('"change":"forwarder removed"');
  }, 60_000);
});

describe('the forms in Chromium (zh, 1366×768, SQLite)', () => {
  let dir: string;
  let broker: Mosquitto;
  let center: Center | undefined;
  let browser: TestBrowser & { pageErrors: string[] };
  let file: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jifang-admin-form-'));
    broker = await startMosquitto();
    browser = await launchBrowser();
    await setPassword(join(dir, 'users'), 'root', 'admin', 'admin-pass-1');
    file = join(dir, 'center.yaml');
    writeFileSync(
      file,
      `mqtt:\n  url: ${broker.url}\n  clientId: admin-form\nstorage:\n  kind: sqlite\n  path: center.db\nhttp:\n  port: 0\nusers: users\nforwarders:\n  - id: district\n    name: 区平台\n    url: https://bot:pw-secret@district.example/hook\n    token: { env: DISTRICT_TOKEN }\n`,
    );
    center = await startCenter(loadCenterConfig(file), pino({ level: 'silent' }), { configFile: file, categories: CATEGORIES });
  }, 120_000);

  afterAll(async () => {
    await center?.close();
    await browser?.close();
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a value the form lets through but the server refuses is said in Chinese, naming the field as the form labels it', async () => {
    const page = await signedInPage(browser, center!.url, 'root', 'admin-pass-1', { lang: 'zh-CN', width: 1366, height: 768 });
    await page.goto(`${center!.url}/admin`);
    await page.waitForSelector('#settings-form');
    const before = readFileSync(file, 'utf8');
    // The page's own request, with its language, carries a value its form would have refused: only the server decides.
    await page.route('**/api/admin/settings', async (route) => {
      if (route.request().method() !== 'PUT') return route.continue();
      const body = JSON.parse(route.request().postData() ?? '{}') as { retention?: Record<string, unknown> };
      await route.continue({ postData: JSON.stringify({ ...body, retention: { ...body.retention, eventDays: -3 } }) });
    });
    await page.fill('[id="set-retention.eventDays"]', '400');
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/admin/settings') && r.request().method() === 'PUT');
    await page.click('#settings-save');
    const refused = await answer;
    expect(refused.status()).toBe(400);
    expect(await refused.json()).toEqual({
      error: '未保存：事件保留天数（retention.eventDays）：应 > 0（现为 -3）',
      problems: [{ path: 'retention.eventDays', message: '应 > 0（现为 -3）' }],
    });
    await page.waitForSelector('[data-error-for="retention.eventDays"]:not(:empty)');
    expect(await page.textContent('[data-error-for="retention.eventDays"]')).toBe('应 > 0（现为 -3）');
    expect(await page.textContent('#admin-result')).toContain('请改正标出的字段');
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(browser.pageErrors).toEqual([]);
  }, 60_000);

  it('an admin adds a forwarder in words: a bad address refused as typed, saved, listed; a bad retention value refused beside its field', async () => {
    const page = await signedInPage(browser, center!.url, 'root', 'admin-pass-1', { lang: 'zh-CN', width: 1366, height: 768 });
    await page.goto(`${center!.url}/admin`);
    await page.waitForSelector('#forwarder-list tr[data-forwarder="district"]');
    expect(await page.textContent('#forwarder-list')).toContain('环境变量 DISTRICT_TOKEN');
    expect(await page.textContent('#forwarder-list')).not.toContain('pw-secret');

    await page.click('#forwarder-add');
    // An id taken is refused as typed.
    await page.fill('#fwd-id', 'district');
    expect(await page.textContent('[data-error-for="id"]')).toBe('已有此编号的转发');
    await page.fill('#fwd-url', 'https://platform.example/in');
    await page.fill('#fwd-id', 'city');
    // A token file left empty passes the browser and is refused by the server: its words beside the token.
    await page.selectOption('#fwd-token-kind', 'file');
    await page.click('#fwd-save');
    await page.waitForSelector('[data-error-for="token"]:not(:empty)');
    expect(readFileSync(file, 'utf8')).not.toContain('id: city');
    await page.fill('#fwd-id', 'city');
    await page.fill('#fwd-name', '城管平台');
    await page.fill('#fwd-url', 'ftp://platform');
    expect(await page.textContent('[data-error-for="url"]')).toContain('http://');
    await page.fill('#fwd-url', 'https://platform.example/in');
    expect(await page.textContent('[data-error-for="url"]')).toBe('');
    await page.check('input[name="types"][value="some"]');
    await page.check('input[name="type"][value="street_vending"]');
    await page.click('#fwd-add-row');
    await page.fill('#fwd-template tr:last-child .tpl-field', 'text.content');
    await page.fill('#fwd-template tr:last-child .tpl-value', '{{category.name}} {{address}}');
    await page.selectOption('#fwd-token-kind', 'value');
    await page.fill('#fwd-token', 'tok-from-the-form');
    await page.click('#fwd-save');
    await page.waitForSelector('#forwarder-list tr[data-forwarder="city"]');
    expect(await page.textContent('#admin-result')).toContain('已保存并已生效');
    expect(await page.textContent('#forwarder-list tr[data-forwarder="city"]')).toContain('占道经营');
    expect(await page.textContent('#forwarder-list tr[data-forwarder="city"]')).toContain('已设置');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('template:\n      text: { content: "{{category.name}} {{address}}" }');
    expect(text).toContain('pw-secret');

    await page.fill('[id="set-retention.eventDays"]', '-5');
    expect(await page.textContent('[data-error-for="retention.eventDays"]')).toContain('大于 0');
    await page.click('#settings-save');
    expect(await page.textContent('#admin-result')).toContain('请改正标出的字段');
    expect(await page.textContent('[data-error-for="retention.eventDays"]')).toContain('大于 0');
    expect(await page.inputValue('[id="set-retention.eventDays"]')).toBe('-5');
    expect(readFileSync(file, 'utf8')).toBe(text);
    await page.click('button[data-edit="city"]');
    await page.waitForSelector('#forwarder-form');
    await browser.screenshot(page, 'center-admin-settings-zh');
    // Every word has its translation: a missing one would show its key.
    const missing = /\b(fwd|ret|settings|check|admin)\.[a-zA-Z]+\b/;
    expect(await page.textContent('#admin')).not.toMatch(missing);
    const en = await signedInPage(browser, center!.url, 'root', 'admin-pass-1', { lang: 'en-US', width: 1366, height: 768 });
    await en.goto(`${center!.url}/admin`);
    await en.click('button[data-edit="city"]');
    await en.waitForSelector('#forwarder-form');
    expect(await en.textContent('#admin')).toContain('Events kept (days)');
    expect(await en.textContent('#admin')).not.toMatch(missing);
    expect(browser.pageErrors).toEqual([]);
  }, 120_000);
});
