import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { BlockList } from 'node:net';
import { listen } from '../core/listen.ts';
import type { Logger } from '../core/log.ts';
import type { Asset } from './assets.ts';
import { readJsonBody } from './body.ts';
import { clientAddress, trustedProxies } from './client-address.ts';
import { HttpError } from './http-error.ts';
import { cookieValue, type Lang, pickLang } from './i18n.ts';
import { createLogin, type Login } from './login.ts';
import { escapeHtml, loginPage } from './pages.ts';
import type { Role } from './passwords.ts';
import { acceptsHtml, drain, header, quoted, SECURITY_HEADERS, sameOrigin, sendAsset, sendHtml, sendJson } from './respond.ts';
import { type CompiledRoute, compile, findRoute } from './router.ts';
import {
  csrfMatches,
  DEFAULT_SESSIONS,
  MemorySessionStore,
  type Session,
  type SessionOptions,
  type SessionStore,
  Sessions,
} from './sessions.ts';
import { sendFileInside } from './static.ts';
import type { ThrottleOptions } from './throttle.ts';
import type { Method, WebAuditEntry, WebContext, WebRoute } from './types.ts';
import { CurrentUsers } from './users.ts';

export interface WebServerOptions {
  host: string;
  port: number;
  /** PEM files; HTTPS when given (and cookies marked Secure). */
  tls?: { cert: string; key: string };
  /** `USER:ROLE:scrypt…` lines, made with `jifang passwd`. */
  usersFile: string;
  /** The product name on the login page. */
  title: Record<Lang, string>;
  /** Where a login lands when it was not sent from another page (one place, or one per role). */
  home: string | ((role: Role) => string);
  routes: WebRoute[];
  /** Served as /assets/NAME; those in `publicAssets` without a session (the login page's own). */
  assets: Map<string, Asset>;
  publicAssets?: readonly string[];
  /** Answered before any session check (health checks, scrapers): return true when handled. */
  open?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  audit: (entry: WebAuditEntry) => void;
  log: Logger;
  /** The session cookie's name: each service its own, so that one browser keeps a session with each on one host. */
  cookieName: string;
  /** Reverse proxies (addresses or CIDR networks) whose X-Forwarded-For names the client; default none. */
  trustedProxies?: readonly string[];
  sessions?: SessionOptions;
  /** Where sessions live; default in memory (a restart logs everyone out). */
  sessionStore?: SessionStore;
  throttle?: ThrottleOptions;
  /** Refused logins are audited as totals over this interval (default a minute). */
  refusalIntervalMs?: number;
  /** Clock, for tests of expiry and lock-out. */
  now?: () => number;
}

export interface WebServer {
  url: string;
  close(): Promise<void>;
}

interface Incoming {
  url: URL;
  path: string;
  method: string;
  lang: Lang;
  /** The client's address (X-Forwarded-For from a trusted proxy). */
  address: string;
  isChange: boolean;
}

/** An address longer than this is not sent back in the login page's `next`: the page goes home instead. */
const MAX_NEXT = 1024;

/**
 * A small web layer on node:http shared by the box console and the command center: password login (scrypt users
 * file), HTTP-only SameSite=Strict session cookies, a CSRF token on every change, slow-down and lock-out of failed
 * logins, roles, JSON bodies validated by zod, bundled assets, optional TLS, and an audit entry per login and change.
 * Nothing but `open` and the login page answers without a session.
 */
class WebApp {
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly sessions: Sessions;
  private readonly users: CurrentUsers;
  private readonly login: Login;
  private readonly routes: CompiledRoute[];
  private readonly publicAssets: Set<string>;
  private readonly proxies: BlockList | undefined;

  constructor(private readonly opts: WebServerOptions) {
    this.log = opts.log.child({ stage: 'web' });
    this.now = opts.now ?? Date.now;
    const sessionOptions = opts.sessions ?? DEFAULT_SESSIONS;
    this.sessions = new Sessions(opts.sessionStore ?? new MemorySessionStore(), sessionOptions);
    this.users = new CurrentUsers(opts.usersFile, this.log);
    this.login = createLogin({
      usersFile: opts.usersFile,
      home: opts.home,
      sessions: this.sessions,
      sessionMaxAgeMs: sessionOptions.maxAgeMs,
      setCookie: (res, value, maxAgeS) => this.setCookie(res, value, maxAgeS),
      ...(opts.throttle ? { throttle: opts.throttle } : {}),
      ...(opts.refusalIntervalMs ? { refusalIntervalMs: opts.refusalIntervalMs } : {}),
      audit: opts.audit,
      log: this.log,
      now: this.now,
    });
    this.routes = opts.routes.map(compile);
    this.publicAssets = new Set(opts.publicAssets ?? []);
    this.proxies = opts.trustedProxies?.length ? trustedProxies(opts.trustedProxies) : undefined;
  }

  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    this.handle(req, res).catch((err: unknown) => this.answerError(req, res, err));
  };

  close(): void {
    this.login.close();
  }

  private setCookie(res: ServerResponse, value: string, maxAgeS: number): void {
    const secure = this.opts.tls ? '; Secure' : '';
    res.setHeader('Set-Cookie', `${this.opts.cookieName}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure}`);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    if (this.opts.open && (await this.opts.open(req, res))) return;
    const r = this.readRequest(req);
    if (r.isChange && !sameOrigin(req)) throw new HttpError(403, 'refused: the request comes from another site');
    if (await this.servePublic(req, res, r)) return;
    const token = cookieValue(req, this.opts.cookieName);
    const session = await this.sessionOf(token);
    if (!session) return this.refuseWithoutSession(req, res, r);
    if (r.isChange && !csrfMatches(session, header(req, 'x-csrf-token')))
      throw new HttpError(403, 'refused: missing or wrong CSRF token (reload the page)');
    if (await this.serveSessionRoutes(req, res, r, token, session)) return;
    const { route, params } = findRoute(this.routes, r.method, r.path);
    await this.runRoute(req, res, r, route, params, session);
  }

  private readRequest(req: IncomingMessage): Incoming {
    const target = req.url ?? '/';
    // Only a path: not "*", nor the absolute form a proxy is sent ("GET http://host/…").
    if (!target.startsWith('/')) throw new HttpError(400, 'expected a path starting with "/"');
    let url: URL;
    try {
      url = new URL(`http://box.invalid${target}`);
    } catch {
      throw new HttpError(400, 'the address is not a valid path');
    }
    const method = (req.method ?? 'GET').toUpperCase();
    return {
      url,
      path: url.pathname,
      method,
      lang: pickLang(req),
      address: clientAddress(req.socket.remoteAddress, header(req, 'x-forwarded-for'), this.proxies),
      isChange: method !== 'GET' && method !== 'HEAD',
    };
  }

  /** The login page, its assets and the login itself; true when answered. */
  private async servePublic(req: IncomingMessage, res: ServerResponse, r: Incoming): Promise<boolean> {
    if (r.method === 'GET' && r.path === '/login') {
      sendHtml(res, 200, loginPage(r.lang, this.opts.title[r.lang]));
      return true;
    }
    const name = r.path.slice('/assets/'.length);
    if (r.path.startsWith('/assets/') && this.publicAssets.has(name) && (r.method === 'GET' || r.method === 'HEAD')) {
      sendAsset(req, res, this.opts.assets.get(name));
      return true;
    }
    if (r.method === 'POST' && r.path === '/api/login') {
      await this.login.handle(req, res, r.address);
      return true;
    }
    return false;
  }

  /** The live session of the cookie, while its user is still in the users file with the same role. */
  private async sessionOf(token: string | undefined): Promise<Session | undefined> {
    const session = await this.sessions.get(token, this.now());
    if (!session) return undefined;
    if ((await this.users.roleOf(session.user, this.now(), session.createdAt)) === session.role) return session;
    await this.sessions.delete(token);
    this.log.info({ user: session.user, session: session.id }, 'session ended: its user was removed or given another role');
    return undefined;
  }

  private refuseWithoutSession(req: IncomingMessage, res: ServerResponse, r: Incoming): void {
    if (r.path.startsWith('/api/') || !acceptsHtml(req)) throw new HttpError(401, 'not signed in: log in at /login');
    const back = r.path + r.url.search;
    const login = back.length <= MAX_NEXT ? `/login?next=${encodeURIComponent(back)}` : '/login';
    sendHtml(
      res,
      401,
      `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${login}"><a href="${login}">Log in / 登录</a>`,
    );
  }

  /** Logout, the session's own facts and the assets behind the login; true when answered. */
  private async serveSessionRoutes(
    req: IncomingMessage,
    res: ServerResponse,
    r: Incoming,
    token: string | undefined,
    session: Session,
  ): Promise<boolean> {
    if (r.method === 'POST' && r.path === '/api/logout') {
      await this.sessions.delete(token);
      this.setCookie(res, '', 0);
      this.opts.audit({ action: 'logout', user: session.user, session: session.id, address: r.address });
      sendJson(res, 200, { ok: true });
      return true;
    }
    if (r.method === 'GET' && r.path === '/api/session') {
      sendJson(res, 200, { user: session.user, role: session.role, csrf: session.csrf });
      return true;
    }
    if ((r.method === 'GET' || r.method === 'HEAD') && r.path.startsWith('/assets/')) {
      const asset = this.opts.assets.get(r.path.slice('/assets/'.length));
      if (!asset) throw new HttpError(404, 'no such asset');
      sendAsset(req, res, asset);
      return true;
    }
    return false;
  }

  private async runRoute(
    req: IncomingMessage,
    res: ServerResponse,
    r: Incoming,
    route: WebRoute,
    params: Record<string, string>,
    session: Session,
  ): Promise<void> {
    let detail: Record<string, unknown> | undefined;
    const ctx = context(req, res, r, params, session, (d) => (detail = { ...detail, ...d }));
    const audited = (status: number) => {
      if (!r.isChange) return;
      this.opts.audit({
        action: 'change',
        user: session.user,
        role: session.role,
        session: session.id,
        address: r.address,
        method: r.method as Method,
        path: r.path,
        status,
        ...(detail ? { detail } : {}),
      });
    };
    try {
      if (route.roles && !route.roles.includes(session.role))
        throw new HttpError(403, `refused: this needs the role ${route.roles.join(' or ')}; you are ${session.role}`);
      await route.handle(ctx);
      audited(res.statusCode);
    } catch (err) {
      audited(err instanceof HttpError ? err.status : 500);
      throw err;
    }
  }

  private async answerError(req: IncomingMessage, res: ServerResponse, err: unknown): Promise<void> {
    if (res.headersSent || res.destroyed || req.socket.destroyed) {
      res.destroy();
      return;
    }
    // A refusal answered while the client still sends its body would reset the connection under it: read it away.
    if (!(await drain(req))) res.setHeader('Connection', 'close');
    if (err instanceof HttpError) {
      for (const [k, v] of Object.entries(err.headers ?? {})) res.setHeader(k, v);
      return sendJson(res, err.status, { error: err.message, ...(err.problems ? { problems: err.problems } : {}) });
    }
    this.log.error({ err, method: req.method, path: quoted(req.url ?? '') }, 'web request failed');
    sendJson(res, 500, { error: 'internal error (see the agent log)' });
  }
}

function context(
  req: IncomingMessage,
  res: ServerResponse,
  r: Incoming,
  params: Record<string, string>,
  session: Session,
  auditDetail: (d: Record<string, unknown>) => void,
): WebContext {
  const headOnly = r.method === 'HEAD';
  return {
    req,
    res,
    url: r.url,
    params,
    session,
    lang: r.lang,
    body: (schema, limit) => readJsonBody(req, schema, limit),
    json: (status, value) => sendJson(res, status, value),
    html: (status, text) => sendHtml(res, status, text),
    send: (status, type, body, headers = {}) => {
      res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', ...headers });
      res.end(headOnly ? undefined : body);
    },
    file: async (root, relative, cache) => {
      if (!(await sendFileInside(res, root, relative, { headOnly, cache }))) throw new HttpError(404, 'not found');
    },
    auditDetail,
  };
}

async function readTls(tls: { cert: string; key: string }): Promise<{ cert: Buffer; key: Buffer }> {
  const [cert, key] = await Promise.all(
    [tls.cert, tls.key].map((f) =>
      readFile(f).catch((err: NodeJS.ErrnoException) => {
        throw new Error(`cannot read the console TLS file ${f} (${err.code ?? err.message})`);
      }),
    ),
  );
  return { cert, key };
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const app = new WebApp(opts);
  const server: Server = opts.tls ? createHttpsServer(await readTls(opts.tls), app.listener) : createHttpServer(app.listener);
  const listening = await listen(server, opts.host, opts.port, 'the console', opts.tls ? 'https' : 'http');
  opts.log.child({ stage: 'web' }).info({ url: listening.url }, 'web console listening');
  return {
    url: listening.url,
    close: async () => {
      app.close();
      await listening.close();
    },
  };
}

export type { Method, WebAuditEntry, WebContext, WebRoute };
export { escapeHtml, sendJson };
