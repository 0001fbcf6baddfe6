import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { z } from 'zod';
import type { HttpConfig } from '../config/http.ts';
import { ruleSchema } from '../rules/config.ts';
import { kindOfType } from '../rules/kinds/index.ts';
import { sha256Hex } from '../core/hash.ts';
import type { Logger } from '../core/log.ts';
import { redact } from '../core/redact.ts';
import { buildAssets } from '../web/assets.ts';
import { HttpError } from '../web/http-error.ts';
import { pageHtml } from '../web/pages.ts';
import { startWebServer, type WebAuditEntry, type WebContext, type WebRoute, type WebServer } from '../web/server.ts';
import { applyCameraEdit, cameraEditSchema, editableCamera, saveConfigText } from './config-edit.ts';
import { evidenceLinks } from './evidence-files.ts';
import type { ConsoleRuntime, EventFeed } from './live.ts';
import type { PresetInfo } from './wire.ts';
import { consoleMessages } from './messages.ts';

const here = dirname(fileURLToPath(import.meta.url));
const webDir = resolve(here, '../web');

export interface ConsoleOptions {
  http: HttpConfig & { console: NonNullable<HttpConfig['console']> };
  runtime: ConsoleRuntime;
  events: EventFeed;
  /** Where the evidence store keeps its folders (dataDir/evidence). */
  evidenceRoot: string;
  /** /healthz and /metrics, answered without a session. */
  open: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  audit: (entry: WebAuditEntry) => void;
  log: Logger;
}

const EDITORS = ['installer', 'admin'] as const;

/** The rule types' parameters as JSON Schema, for the editor's forms (the same zod schemas as the config). */
const ruleTypes = () =>
  ruleSchema.options.map((o) => ({
    type: (o.shape.type as z.ZodLiteral<string>).value,
    schema: z.toJSONSchema(o, { io: 'input', unrepresentable: 'any' }),
  }));

/** The box console: cameras, live view with the rules' state, zone/mask/line and calibration editors, events. */
export async function startConsole(opts: ConsoleOptions): Promise<WebServer> {
  const { runtime } = opts;
  const assets = await buildAssets({
    scripts: { login: join(webDir, 'client', 'login.ts'), console: join(here, 'client', 'main.ts') },
    styles: { web: join(webDir, 'web.css'), console: join(here, 'console.css') },
  });
  const jpegCache = new Map<string, { seq: number; jpeg: Buffer }>();

  const camera = (id: string) => {
    const cam = runtime.config().cameras.find((c) => c.id === id);
    if (!cam) throw new HttpError(404, `unknown camera "${id}"`);
    return cam;
  };
  const page =
    (name: string, extra: Record<string, unknown> = {}) =>
    (c: WebContext) =>
      c.html(
        200,
        pageHtml({
          lang: c.lang,
          title: `${consoleMessages[`nav.${name === 'camera' || name === 'calibration' ? 'cameras' : name}` as 'nav.cameras'][c.lang]} · ${consoleMessages.product[c.lang]}`,
          csrf: c.session.csrf,
          script: 'console',
          styles: ['console'],
          data: {
            page: name,
            user: c.session.user,
            role: c.session.role,
            ...(c.params.id ? { camera: camera(c.params.id).id } : {}),
            ...extra,
          },
        }),
      );
  const readConfig = async () => {
    const text = await readFile(runtime.configFile, 'utf8');
    return { text, sha256: sha256Hex(text) };
  };
  const edit = async (c: WebContext, write: boolean) => {
    const body = await c.body(cameraEditSchema, 1024 * 1024);
    const { text } = await readConfig();
    const found = editableCamera(text, c.params.id);
    if (!found) throw new HttpError(404, `camera "${c.params.id}" is not in ${runtime.configFile}`);
    const result = applyCameraEdit(text, runtime.configFile, found.index, body);
    // The diff's context lines may hold a camera URL written with its password: never shown or audited as is.
    const out = {
      diff: redact(result.diff),
      problems: result.problems.map((p) => ({ ...p, text: redact(p.text), message: redact(p.message) })),
      changed: result.text !== text,
    };
    if (result.problems.length > 0) {
      c.auditDetail({ camera: c.params.id, refused: 'invalid', problems: out.problems.map((p) => p.text) });
      return c.json(422, { ...out, error: out.problems.map((p) => p.text).join('\n') });
    }
    if (!write || !out.changed) return c.json(200, out);
    const saved = await saveConfigText(runtime.configFile, body.baseSha256, result.text);
    if ('conflict' in saved) {
      c.auditDetail({ camera: c.params.id, refused: 'conflict' });
      return c.json(409, {
        ...out,
        error: `${runtime.configFile} changed since the editor loaded it: reload the page; nothing was written`,
      });
    }
    const reload = await runtime.reload();
    const restartNeeded = !reload.ok && /restart/.test(reload.error);
    c.auditDetail({
      camera: c.params.id,
      file: runtime.configFile,
      sha256: saved.sha256,
      backup: saved.backup,
      diff: out.diff,
      applied: reload.ok,
      ...(reload.ok ? {} : { reloadError: reload.error }),
    });
    opts.log.info(
      { stage: 'console', camera: c.params.id, user: c.session.user, backup: saved.backup, applied: reload.ok },
      'config saved from the console',
    );
    c.json(200, {
      ...out,
      saved: true,
      backup: saved.backup,
      sha256: saved.sha256,
      applied: reload.ok,
      restartNeeded,
      ...(reload.ok ? {} : { reloadError: reload.error }),
    });
  };

  const routes: WebRoute[] = [
    { method: 'GET', path: '/', handle: page('cameras') },
    { method: 'GET', path: '/cameras/:id', handle: page('camera') },
    { method: 'GET', path: '/cameras/:id/calibration', handle: page('calibration') },
    { method: 'GET', path: '/events', handle: page('events') },
    {
      method: 'GET',
      path: '/api/overview',
      handle: (c) => {
        const health = new Map(runtime.health().map((h) => [h.camera, h]));
        c.json(200, {
          cameras: runtime.config().cameras.map((cam) => ({
            id: cam.id,
            name: cam.name,
            source: redact(cam.url),
            analysis: cam.analysis,
            health: health.get(cam.id),
          })),
        });
      },
    },
    {
      method: 'GET',
      path: '/api/cameras/:id/live',
      handle: (c) => {
        camera(c.params.id);
        const live = runtime.live(c.params.id);
        c.json(
          200,
          live
            ? {
                ...live.facts,
                rules: live.facts.rules.map((r) => ({ ...r, verb: kindOfType(r.rule.type).words.verb })),
                imageSeq: live.image?.seq ?? null,
                imageAt: live.image?.at ?? null,
                now: Date.now(),
              }
            : { camera: c.params.id, seq: null, now: Date.now() },
        );
      },
    },
    {
      method: 'GET',
      path: '/api/cameras/:id/frame.jpg',
      handle: async (c) => {
        camera(c.params.id);
        const img = runtime.live(c.params.id)?.image;
        if (!img) throw new HttpError(404, 'no analysed frame yet: try again in a second');
        let cached = jpegCache.get(c.params.id);
        if (cached?.seq !== img.seq) {
          const { data, width, height } = img.image;
          cached = {
            seq: img.seq,
            jpeg: await sharp(data, { raw: { width, height, channels: 3 } })
              .jpeg({ quality: 75 })
              .toBuffer(),
          };
          jpegCache.set(c.params.id, cached);
        }
        c.send(200, 'image/jpeg', cached.jpeg, { 'X-Frame-Seq': String(img.seq), 'Cache-Control': 'private, max-age=60' });
      },
    },
    {
      method: 'GET',
      path: '/api/cameras/:id/edit',
      handle: async (c) => {
        const running = camera(c.params.id);
        const { text, sha256 } = await readConfig();
        const found = editableCamera(text, c.params.id);
        if (!found) throw new HttpError(404, `camera "${c.params.id}" is not in ${runtime.configFile}`);
        c.json(200, {
          baseSha256: sha256,
          file: runtime.configFile,
          camera: found.camera,
          analysis: running.analysis,
          windows: running.windows,
          ruleTypes: ruleTypes(),
          presets: runtime.catalogue.events.flatMap((e): PresetInfo[] =>
            e.preset ? [{ id: e.id, name: e.name, code: e.codes.gbt?.code, type: e.preset.type, params: e.preset.params }] : [],
          ),
        });
      },
    },
    { method: 'POST', path: '/api/cameras/:id/check', roles: EDITORS, handle: (c) => edit(c, false) },
    { method: 'PUT', path: '/api/cameras/:id/edit', roles: EDITORS, handle: (c) => edit(c, true) },
    {
      method: 'GET',
      path: '/api/events',
      handle: async (c) => {
        const events = opts.events.list();
        c.json(200, {
          events: await Promise.all(events.map(async (e) => ({ ...e, evidence: await evidenceLinks(opts.evidenceRoot, e.eventId) }))),
        });
      },
    },
    { method: 'GET', path: '/evidence/*', handle: (c) => c.file(opts.evidenceRoot, c.params['*'], 'private, max-age=3600') },
  ];

  return startWebServer({
    host: opts.http.host,
    port: opts.http.port,
    tls: opts.http.tls,
    usersFile: opts.http.console.usersFile,
    title: consoleMessages.product,
    home: '/',
    routes,
    assets,
    publicAssets: ['login.js', 'web.css'],
    open: opts.open,
    audit: opts.audit,
    log: opts.log,
    sessions: { idleMs: opts.http.console.sessionIdleMinutes * 60_000, maxAgeMs: 12 * 3600_000 },
  });
}
