import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { z } from 'zod';
import { listen } from '../core/listen.ts';
import type { Logger } from '../core/log.ts';
import { readJsonBody } from './body.ts';
import { HttpError } from './http-error.ts';
import { cookieValue, pickLang, type Lang } from './i18n.ts';
import { authenticate, userNameSchema, type Role } from './passwords.ts';
import { csrfMatches, DEFAULT_SESSIONS, SessionStore, type Session, type SessionOptions } from './sessions.ts';
import { sendFileInside } from './static.ts';
import { DEFAULT_THROTTLE, LoginThrottle, loginKeys, type ThrottleOptions } from './throttle.ts';
import type { Asset } from './assets.ts';
import { loginPage, escapeHtml } from './pages.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface WebContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** `:name` segments of the route's path; a trailing `*` collects the rest as `params['*']` (still URL-decoded). */
  params: Record<string, string>;
  session: Session;
  lang: Lang;
  /** The JSON body validated by `schema`; refuses with 400/413/415 in words. */
  body<S extends z.ZodType>(schema: S, limit?: number): Promise<z.infer<S>>;
  json(status: number, value: unknown): void;
  html(status: number, text: string): void;
  send(status: number, type: string, body: string | Buffer, headers?: Record<string, string>): void;
  /** Streams `relative` from inside `root`; a path leading out of it (or to nothing) answers 404. */
  file(root: string, relative: string, cache?: string): Promise<void>;
  /** What a change did, recorded with its audit entry. */
  auditDetail(detail: Record<string, unknown>): void;
}

export interface WebRoute {
  method: Method;
  path: string;
  /** Who may call it; default: anyone signed in. */
  roles?: readonly Role[];
  handle(ctx: WebContext): Promise<void> | void;
}

/** One audit entry per login attempt and per change attempt (whatever its outcome). */
export type WebAuditEntry =
  | { action: 'login'; user: string; role: Role; session: string; address: string }
  | { action: 'login_refused'; user: string; address: string; reason: 'wrong_password' | 'slowed' | 'locked'; lockedOut?: boolean }
  | { action: 'logout'; user: string; session: string; address: string }
  | {
      action: 'change';
      user: string;
      role: Role;
      session: string;
      address: string;
      method: Method;
      path: string;
      status: number;
      detail?: Record<string, unknown>;
    };

export interface WebServerOptions {
  host: string;
  port: number;
  /** PEM files; HTTPS when given (and cookies marked Secure). */
  tls?: { cert: string; key: string };
  /** `USER:ROLE:scrypt…` lines, made with `jifang passwd`. */
  usersFile: string;
  /** The product name on the login page. */
  title: Record<Lang, string>;
  /** Where a login lands when it was not sent from another page. */
  home: string;
  routes: WebRoute[];
  /** Served as /assets/NAME; those in `publicAssets` without a session (the login page's own). */
  assets: Map<string, Asset>;
  publicAssets?: readonly string[];
  /** Answered before any session check (health checks, scrapers): return true when handled. */
  open?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  audit: (entry: WebAuditEntry) => void;
  log: Logger;
  cookieName?: string;
  sessions?: SessionOptions;
  throttle?: ThrottleOptions;
  /** Clock, for tests of expiry and lock-out. */
  now?: () => number;
}

export interface WebServer {
  url: string;
  close(): Promise<void>;
}

const loginSchema = z.strictObject({ user: userNameSchema, password: z.string().min(1).max(1024) });

/** The CSP keeps every script and style our own; images may be data:/blob: for frames drawn in the page. */
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
};

interface CompiledRoute {
  route: WebRoute;
  pattern: RegExp;
  names: string[];
}

function compile(route: WebRoute): CompiledRoute {
  const names: string[] = [];
  const body = route.path
    .split('/')
    .map((seg) => {
      if (seg === '*') {
        names.push('*');
        return '(.+)';
      }
      if (seg.startsWith(':')) {
        names.push(seg.slice(1));
        return '([^/]+)';
      }
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { route, pattern: new RegExp(`^${body}$`), names };
}

/**
 * A small web layer on node:http shared by the box console and the command center: password login (scrypt users
 * file), HTTP-only SameSite=Strict session cookies, a CSRF token on every change, slow-down and lock-out of failed
 * logins, roles, JSON bodies validated by zod, bundled assets, optional TLS, and an audit entry per login and change.
 * Nothing but `open` and the login page answers without a session.
 */
export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const log = opts.log.child({ stage: 'web' });
  const now = opts.now ?? Date.now;
  const cookieName = opts.cookieName ?? 'jifang_session';
  const sessions = new SessionStore(opts.sessions ?? DEFAULT_SESSIONS);
  const throttle = new LoginThrottle(opts.throttle ?? DEFAULT_THROTTLE);
  const routes = opts.routes.map(compile);
  const publicAssets = new Set(opts.publicAssets ?? []);
  const secure = opts.tls !== undefined;

  const setCookie = (res: ServerResponse, value: string, maxAgeS: number) =>
    res.setHeader('Set-Cookie', `${cookieName}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure ? '; Secure' : ''}`);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    if (opts.open && (await opts.open(req, res))) return;
    const url = new URL(req.url ?? '/', 'http://box.invalid');
    const path = url.pathname;
    const method = (req.method ?? 'GET').toUpperCase();
    const lang = pickLang(req);
    const address = req.socket.remoteAddress ?? 'unknown';
    const isChange = method !== 'GET' && method !== 'HEAD';

    // A change must come from our own pages: browsers send Origin on every cross-site POST.
    if (isChange && !sameOrigin(req)) throw new HttpError(403, 'refused: the request comes from another site');

    if (method === 'GET' && path === '/login') return sendHtml(res, 200, loginPage(lang, opts.title[lang]));
    if (path.startsWith('/assets/') && publicAssets.has(path.slice(8)) && (method === 'GET' || method === 'HEAD'))
      return sendAsset(req, res, opts.assets.get(path.slice(8)));
    if (method === 'POST' && path === '/api/login') {
      const body = await readJsonBody(req, loginSchema, 8 * 1024);
      const keys = loginKeys(body.user, address);
      const verdict = throttle.check(keys, now());
      if (!verdict.ok) {
        opts.audit({ action: 'login_refused', user: body.user, address, reason: verdict.locked ? 'locked' : 'slowed' });
        const s = Math.ceil(verdict.retryAfterMs / 1000);
        throw new HttpError(
          429,
          verdict.locked
            ? `locked out after repeated failed logins: try again in ${Math.ceil(s / 60)} min`
            : `too many failed logins: try again in ${s} s`,
          undefined,
          { 'Retry-After': String(s) },
        );
      }
      const entry = await authenticate(opts.usersFile, body.user, body.password);
      if (!entry) {
        const lockedOut = throttle.fail(keys, now());
        opts.audit({ action: 'login_refused', user: body.user, address, reason: 'wrong_password', ...(lockedOut ? { lockedOut } : {}) });
        log.warn({ user: body.user, address, lockedOut }, 'console login refused');
        throw new HttpError(401, 'wrong user name or password');
      }
      throttle.succeed(keys);
      const { token, session } = sessions.create(entry.user, entry.role, now());
      setCookie(res, token, Math.floor((opts.sessions ?? DEFAULT_SESSIONS).maxAgeMs / 1000));
      opts.audit({ action: 'login', user: entry.user, role: entry.role, session: session.id, address });
      log.info({ user: entry.user, role: entry.role, address }, 'console login');
      return sendJson(res, 200, { user: entry.user, role: entry.role, csrf: session.csrf, home: opts.home });
    }

    const token = cookieValue(req, cookieName);
    const session = sessions.get(token, now());
    if (!session) {
      if (path.startsWith('/api/') || !acceptsHtml(req)) throw new HttpError(401, 'not signed in: log in at /login');
      const next = encodeURIComponent(path + url.search);
      return sendHtml(
        res,
        401,
        `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=/login?next=${next}"><a href="/login?next=${next}">Log in / 登录</a>`,
      );
    }
    if (isChange && !csrfMatches(session, header(req, 'x-csrf-token')))
      throw new HttpError(403, 'refused: missing or wrong CSRF token (reload the page)');

    if (method === 'POST' && path === '/api/logout') {
      sessions.delete(token);
      setCookie(res, '', 0);
      opts.audit({ action: 'logout', user: session.user, session: session.id, address });
      return sendJson(res, 200, { ok: true });
    }
    if (method === 'GET' && path === '/api/session')
      return sendJson(res, 200, { user: session.user, role: session.role, csrf: session.csrf });
    if ((method === 'GET' || method === 'HEAD') && path.startsWith('/assets/')) {
      const asset = opts.assets.get(path.slice(8));
      if (!asset) throw new HttpError(404, 'no such asset');
      return sendAsset(req, res, asset);
    }

    let matched: { c: CompiledRoute; m: RegExpExecArray } | undefined;
    const allowed: string[] = [];
    for (const c of routes) {
      const m = c.pattern.exec(path);
      if (!m) continue;
      if (c.route.method === method || (method === 'HEAD' && c.route.method === 'GET')) {
        matched = { c, m };
        break;
      }
      allowed.push(c.route.method);
    }
    if (!matched) {
      if (allowed.length > 0)
        throw new HttpError(405, `method not allowed: use ${[...new Set(allowed)].join(', ')}`, undefined, {
          Allow: [...new Set(allowed)].join(', '),
        });
      throw new HttpError(404, `not found: ${path}`);
    }
    const { c, m } = matched;
    const params: Record<string, string> = {};
    try {
      c.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1])));
    } catch {
      throw new HttpError(400, 'the address is not valid percent-encoding');
    }
    let detail: Record<string, unknown> | undefined;
    const ctx: WebContext = {
      req,
      res,
      url,
      params,
      session,
      lang,
      body: (schema, limit) => readJsonBody(req, schema, limit),
      json: (status, value) => sendJson(res, status, value),
      html: (status, text) => sendHtml(res, status, text),
      send: (status, type, body, headers = {}) => {
        res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', ...headers });
        res.end(method === 'HEAD' ? undefined : body);
      },
      file: async (root, relative, cache) => {
        if (!(await sendFileInside(res, root, relative, { headOnly: method === 'HEAD', cache }))) throw new HttpError(404, 'not found');
      },
      auditDetail: (d) => (detail = { ...detail, ...d }),
    };
    const audited = (status: number) => {
      if (isChange)
        opts.audit({
          action: 'change',
          user: session.user,
          role: session.role,
          session: session.id,
          address,
          method: method as Method,
          path,
          status,
          ...(detail ? { detail } : {}),
        });
    };
    try {
      if (c.route.roles && !c.route.roles.includes(session.role))
        throw new HttpError(403, `refused: this needs the role ${c.route.roles.join(' or ')}; you are ${session.role}`);
      await c.route.handle(ctx);
      audited(res.statusCode);
    } catch (err) {
      audited(err instanceof HttpError ? err.status : 500);
      throw err;
    }
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch(async (err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // A refusal answered while the client still sends its body would reset the connection under it: read it away.
      await drain(req);
      if (err instanceof HttpError) {
        for (const [k, v] of Object.entries(err.headers ?? {})) res.setHeader(k, v);
        return sendJson(res, err.status, { error: err.message, ...(err.problems ? { problems: err.problems } : {}) });
      }
      log.error({ err, path: req.url }, 'web request failed');
      sendJson(res, 500, { error: 'internal error (see the agent log)' });
    });
  };

  let server: Server;
  if (opts.tls) {
    const [cert, key] = await Promise.all(
      [opts.tls.cert, opts.tls.key].map((f) =>
        readFile(f).catch((err: NodeJS.ErrnoException) => {
          throw new Error(`cannot read the console TLS file ${f} (${err.code ?? err.message})`);
        }),
      ),
    );
    server = createHttpsServer({ cert, key }, listener);
  } else server = createHttpServer(listener);
  const listening = await listen(server, opts.host, opts.port, 'the console', secure ? 'https' : 'http');
  log.info({ url: listening.url }, 'web console listening');
  return listening;
}

const DRAIN_LIMIT = 1024 * 1024;

async function drain(req: IncomingMessage): Promise<void> {
  if (req.readableEnded || req.destroyed) return;
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > DRAIN_LIMIT) {
        req.destroy();
        return;
      }
    }
  } catch {
    // The client went away: nothing left to answer.
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function sameOrigin(req: IncomingMessage): boolean {
  const origin = header(req, 'origin');
  if (!origin) return header(req, 'sec-fetch-site') !== 'cross-site';
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function acceptsHtml(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('text/html');
}

function sendAsset(req: IncomingMessage, res: ServerResponse, asset: Asset | undefined): void {
  if (!asset) throw new HttpError(404, 'no such asset');
  if (req.headers['if-none-match'] === asset.etag) {
    res.writeHead(304, { ETag: asset.etag });
    res.end();
    return;
  }
  res.writeHead(200, {
    'Content-Type': asset.type,
    'Content-Length': asset.body.length,
    ETag: asset.etag,
    'Cache-Control': 'private, no-cache',
  });
  res.end(req.method === 'HEAD' ? undefined : asset.body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = `${JSON.stringify(value)}\n`;
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

function sendHtml(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

export { escapeHtml };
