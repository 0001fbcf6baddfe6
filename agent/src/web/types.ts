import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { Lang } from './lang.ts';
import type { Role } from './passwords.ts';
import type { RefusalTotals } from './refusals.ts';
import type { Session } from './sessions.ts';

/** The shapes the routes of a web server are written in (the box console's, the center's). */
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

/** One audit entry per login and per change attempt (whatever its outcome); refused logins as totals per interval. */
export type WebAuditEntry =
  | { action: 'login'; user: string; role: Role; session: string; address: string }
  | RefusalTotals
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
