import { readFile } from 'node:fs/promises';
import { ALERT_SCHEMA_ID } from '../contract/alert.ts';
import { problemsFromZod, zodWords } from '../core/errors.ts';
import { sha256Hex } from '../core/hash.ts';
import { urlHost } from '../core/redact.ts';
import { HttpError } from '../web/http-error.ts';
import { statedLang } from '../web/i18n.ts';
import type { Lang } from '../web/lang.ts';
import type { WebContext, WebRoute } from '../web/server.ts';
import { saveConfigText } from '../web/yaml-edit.ts';
import { type CenterConfig, forwarderSchema } from './config.ts';
import { platformBody, postToPlatform } from './forward.ts';
import { centerMessageZh, fieldWords } from './setting-words.ts';
import {
  changeYaml,
  checkText,
  editableSettings,
  type ForwarderEdit,
  forwarderEditSchema,
  forwarderFromEdit,
  forwarderProblems,
  forwarderViews,
  RESTART_PATHS,
  rawConfig,
  redactForwarder,
  restartNeeded,
  settingsChanges,
  settingsEditSchema,
  type YamlChange,
} from './settings-edit.ts';
import type { CategoryView, CenterConfigView } from './wire.ts';

export interface SettingsDeps {
  /** The running config: what `apply` changes. */
  cfg: CenterConfig;
  /** The file `jifang center` was started with; absent, the settings are read-only. */
  file: string | undefined;
  categories: readonly CategoryView[];
  /** Puts a checked config's live parts (forwarders, retention, reminders, units) to work at once; `sha256`: the file saved. */
  apply(next: CenterConfig, sha256: string): void;
}

type Raw = Record<string, unknown>;
const LIMIT = 64 * 1024;

/**
 * The admin's settings and forwarders behind `/api/admin/config`, `/api/admin/settings` (PUT) and
 * `/api/admin/forwarders`: each change is written to the config file (atomically, a backup beside it, comments
 * kept) only once the whole file passes the config's schema, then applied live; a bad value writes nothing. Audited
 * with who, what before and after, the secrets replaced by where they come from.
 */
export function settingsRoutes(d: SettingsDeps): WebRoute[] {
  const admin = (method: WebRoute['method'], path: string, handle: (ctx: WebContext) => Promise<void>): WebRoute => ({
    method,
    path,
    roles: ['admin'],
    handle,
  });
  return [
    admin('GET', '/api/admin/config', async (ctx) => ctx.json(200, await configView(d, said(ctx)))),
    admin('PUT', '/api/admin/settings', async (ctx) => {
      const edit = await ctx.body(settingsEditSchema, LIMIT);
      const r = await saveChange(d, said(ctx), edit.baseSha256, () => ({ changes: settingsChanges(edit) }));
      const before = r.before.settings;
      const after = editableSettings(r.cfg);
      ctx.auditDetail({ change: 'settings changed', file: d.file, before, after, backup: r.backup });
      ctx.json(200, { sha256: r.sha256, restart: restartNeeded(d.cfg, r.cfg) });
    }),
    admin('POST', '/api/admin/forwarders', async (ctx) => {
      const edit = await ctx.body(forwarderEditSchema, LIMIT);
      await forwarderChange(d, ctx, edit, undefined);
    }),
    admin('PUT', '/api/admin/forwarders/:id', async (ctx) => {
      const edit = await ctx.body(forwarderEditSchema, LIMIT);
      if (edit.id !== ctx.params.id)
        throw new HttpError(
          400,
          `a forwarder's id does not change (its deliveries are kept under it): remove ${ctx.params.id} and add ${edit.id}`,
          [{ path: 'id', message: `expected ${ctx.params.id}` }],
        );
      await forwarderChange(d, ctx, edit, ctx.params.id);
    }),
    admin('DELETE', '/api/admin/forwarders/:id', async (ctx) => {
      const { baseSha256 } = await ctx.body(forwarderEditSchema.pick({ baseSha256: true }).required(), 4096);
      const { id } = ctx.params;
      const r = await saveChange(d, said(ctx), baseSha256, (raw) => {
        const list = forwardersOf(raw);
        if (!list.some((f) => f.id === id)) throw new HttpError(404, `no forwarder ${id} in ${d.file}`);
        return { changes: [{ path: ['forwarders'], value: list.filter((f) => f.id !== id) }] };
      });
      ctx.auditDetail({ change: 'forwarder removed', forwarder: id, before: redactForwarder(byId(r.before.raw, id)), after: null });
      ctx.json(200, { sha256: r.sha256, removed: id });
    }),
    admin('POST', '/api/admin/forwarders/test', async (ctx) => testSend(d, ctx, await ctx.body(forwarderEditSchema, LIMIT))),
  ];
}

/** The language of a refusal: the page's; English to a script that states none. */
const said = (ctx: WebContext): Lang => statedLang(ctx.req) ?? 'en';

const forwardersOf = (raw: Raw): Raw[] => (Array.isArray(raw.forwarders) ? (raw.forwarders as Raw[]) : []);
const byId = (raw: Raw, id: string): Raw | undefined => forwardersOf(raw).find((f) => f.id === id);

async function configView(d: SettingsDeps, lang: Lang): Promise<CenterConfigView> {
  const { text, file } = await readConfig(d);
  const checked = checkText(text, file, lang);
  if ('problems' in checked) {
    const said =
      lang === 'zh'
        ? `磁盘上的配置文件 ${file} 无效（被手工改过？）：本实例仍按原设置运行，请先改正文件`
        : `the file on disk is invalid: ${file} does not pass its own check (changed by hand?); this instance keeps running on the settings it had: fix the file first`;
    throw new HttpError(409, said, checked.problems);
  }
  return {
    file,
    sha256: sha256Hex(text),
    settings: editableSettings(checked.cfg),
    running: editableSettings(d.cfg),
    restartPaths: RESTART_PATHS,
    forwarders: forwarderViews(checked.cfg, rawConfig(text)),
    categories: [...d.categories],
  };
}

async function readConfig(d: SettingsDeps): Promise<{ text: string; file: string }> {
  if (!d.file) throw new HttpError(409, 'this center was started without a config file: its settings are changed where it was started');
  return { text: await readFile(d.file, 'utf8'), file: d.file };
}

/** Adds (no `id` yet) or replaces one forwarder, refusing an id taken by another. */
async function forwarderChange(d: SettingsDeps, ctx: WebContext, edit: ForwarderEdit, id: string | undefined): Promise<void> {
  if (!edit.baseSha256) throw new HttpError(400, 'expected baseSha256: the SHA-256 of the config the page loaded');
  let index = -1;
  const r = await saveChange(
    d,
    said(ctx),
    edit.baseSha256,
    (raw) => {
      const list = forwardersOf(raw);
      index = id === undefined ? list.length : list.findIndex((f) => f.id === id);
      if (index < 0) throw new HttpError(404, `no forwarder ${id} in ${d.file}`);
      if (id === undefined && list.some((f) => f.id === edit.id))
        throw new HttpError(409, `a forwarder ${edit.id} exists: change it instead`, [{ path: 'id', message: 'expected an id not taken' }]);
      const next = forwarderFromEdit(edit, list[index]);
      const changes: YamlChange[] = [{ path: ['forwarders'], value: [...list.slice(0, index), next, ...list.slice(index + 1)] }];
      return { changes };
    },
    (problems) => forwarderProblems(problems, index),
  );
  ctx.auditDetail({
    change: id === undefined ? 'forwarder added' : 'forwarder changed',
    forwarder: edit.id,
    before: redactForwarder(id === undefined ? undefined : byId(r.before.raw, id)),
    after: redactForwarder(byId(rawConfig(r.text), edit.id)),
    backup: r.backup,
  });
  ctx.json(id === undefined ? 201 : 200, { sha256: r.sha256, id: edit.id });
}

interface Saved {
  cfg: CenterConfig;
  text: string;
  sha256: string;
  backup: string;
  before: { raw: Raw; settings: ReturnType<typeof editableSettings> };
}

/**
 * Reads the file, makes the change, checks the whole new text, writes it (only if the file is still the one the page
 * loaded) and applies it live. Any refusal leaves the file and the running center as they were.
 */
/** Saves of this process one after the other: two admins at once are a stale refusal, never a lost write. */
const saves = new Map<string, Promise<unknown>>();

function saveChange(...args: Parameters<typeof saveChangeNow>): Promise<Saved> {
  const key = args[0].file ?? '';
  const next = (saves.get(key) ?? Promise.resolve()).catch(() => undefined).then(() => saveChangeNow(...args));
  saves.set(key, next);
  return next;
}

async function saveChangeNow(
  d: SettingsDeps,
  lang: Lang,
  baseSha256: string,
  make: (raw: Raw) => { changes: YamlChange[] },
  toFields: (p: { path: string; message: string }[]) => { path: string; message: string }[] = (p) => p,
): Promise<Saved> {
  const { text, file } = await readConfig(d);
  if (sha256Hex(text) !== baseSha256) throw staleRefusal(file, lang);
  const raw = rawConfig(text);
  const next = changeYaml(text, make(raw).changes);
  const checked = checkText(next, file, lang);
  if ('problems' in checked) {
    const problems = toFields(checked.problems);
    throw new HttpError(400, refusalWords(lang === 'zh' ? '未保存' : 'nothing was saved', problems[0], lang), problems);
  }
  const saved = await saveConfigText(file, baseSha256, next, new Date(), 'center');
  if ('conflict' in saved) throw staleRefusal(file, lang);
  const before = checkText(text, file);
  d.apply(checked.cfg, saved.sha256);
  return {
    cfg: checked.cfg,
    text: next,
    sha256: saved.sha256,
    backup: saved.backup,
    before: { raw, settings: 'cfg' in before ? editableSettings(before.cfg) : editableSettings(d.cfg) },
  };
}

const staleRefusal = (file: string, lang: Lang) =>
  new HttpError(
    409,
    lang === 'zh'
      ? `配置文件 ${file} 在本页载入后已被改动（其他管理员或手工修改）：未保存，请刷新页面`
      : `${file} changed since this page loaded it (another admin, or by hand): nothing was saved; reload the page`,
  );

/** A refusal's first problem with its field named as the form labels it, and its path: `未保存：接收地址（url）：应为…`. */
function refusalWords(what: string, p: { path: string; message: string }, lang: Lang): string {
  const field = fieldWords(p.path, lang);
  if (lang === 'en') return `${what}: ${field === p.path ? field : `${field} (${p.path})`}: ${p.message}`;
  return `${what}：${field === p.path ? field : `${field}（${p.path}）`}：${p.message}`;
}

/** Sends a sample (marked as a test, not a real event) with the form's values, saved or not, and says the answer. */
async function testSend(d: SettingsDeps, ctx: WebContext, edit: ForwarderEdit): Promise<void> {
  const { text } = await readConfig(d);
  const raw = forwarderFromEdit(edit, byId(rawConfig(text), edit.id));
  const parsed = forwarderSchema.safeParse(raw, zodWords(said(ctx)));
  if (!parsed.success) {
    const problems = problemsFromZod(parsed.error.issues, raw, said(ctx), centerMessageZh);
    throw new HttpError(400, refusalWords(said(ctx) === 'zh' ? '未发送' : 'not sent', problems[0], said(ctx)), problems);
  }
  const f = parsed.data;
  const answer = await postToPlatform(f, platformBody(f, sampleAlert(new Date())), `jifang-test:${Date.now()}`);
  ctx.auditDetail({ change: 'forwarder tested', forwarder: f.id, url: urlHost(f.url), status: answer.status, ok: answer.ok });
  ctx.json(200, answer);
}

/** A message in the shape of a real alert that says it is a test: a platform must not file it as a case. */
export function sampleAlert(now: Date): Record<string, unknown> {
  const at = now.toISOString();
  return {
    schema: ALERT_SCHEMA_ID,
    id: `jifang-test-${now.getTime()}`,
    seq: 0,
    test: true,
    type: 'street_vending',
    category: { id: 'street_vending', name: '占道经营（测试消息）', nameEn: 'Street vending (test message)', catalogueVersion: 'test' },
    state: 'started',
    site: 'test',
    camera: 'test',
    cameraName: '测试摄像头 test camera',
    zone: 'test',
    zoneName: '测试区域 test zone',
    startedAt: at,
    observedAt: at,
    dwellSeconds: 0,
    reason: '测试消息，不是真实事件 / a test message from the command center, not a real event',
    objects: [],
    location: { type: 'Point', coordinates: [121.4737, 31.2304] },
    locationSource: 'camera',
    address: '测试地址 test address',
    evidence: {},
  };
}
