import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Logger } from '../core/log.ts';
import { readJsonBody } from './body.ts';
import { HttpError } from './http-error.ts';
import { Limiter } from './limiter.ts';
import { authenticate, type Role, userNameSchema } from './passwords.ts';
import { RefusalCounter } from './refusals.ts';
import { sendJson } from './respond.ts';
import type { Sessions } from './sessions.ts';
import { DEFAULT_THROTTLE, LoginThrottle, type ThrottleOptions } from './throttle.ts';
import type { WebAuditEntry } from './types.ts';

const loginSchema = z.strictObject({ user: userNameSchema, password: z.string().min(1).max(1024) });

/** Password checks at once, and waiting: a check is ~0.1 s and 32 MiB; more waiting are told to come back. */
const CHECKS_AT_ONCE = 2;
const CHECKS_WAITING = 32;
export const DEFAULT_REFUSAL_INTERVAL_MS = 60_000;

export interface LoginOptions {
  usersFile: string;
  /** Where a login lands when it was not sent from another page: one place, or one per role. */
  home: string | ((role: Role) => string);
  sessions: Sessions;
  sessionMaxAgeMs: number;
  setCookie(res: ServerResponse, value: string, maxAgeS: number): void;
  throttle?: ThrottleOptions;
  /** Refused logins are audited as totals over this interval. */
  refusalIntervalMs?: number;
  audit(entry: WebAuditEntry): void;
  log: Logger;
  now(): number;
}

export interface Login {
  handle(req: IncomingMessage, res: ServerResponse, address: string): Promise<void>;
  /** Audits the refusals counted so far and stops the interval. */
  close(): void;
}

/** `POST /api/login`: throttled per user and address, password checks capped, refusals audited as totals. */
export function createLogin(o: LoginOptions): Login {
  const throttle = new LoginThrottle(o.throttle ?? DEFAULT_THROTTLE);
  const checks = new Limiter(CHECKS_AT_ONCE, CHECKS_WAITING);
  const refusals = new RefusalCounter();
  const flush = () => {
    const totals = refusals.take(o.now());
    if (!totals) return;
    o.audit(totals);
    o.log.warn({ refused: totals.refused, reasons: totals.reasons, users: totals.users, addresses: totals.addresses }, 'logins refused');
  };
  const timer = setInterval(flush, o.refusalIntervalMs ?? DEFAULT_REFUSAL_INTERVAL_MS).unref();

  const refuse = (status: number, message: string, retryAfterMs: number): never => {
    throw new HttpError(status, message, undefined, { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, address: string): Promise<void> => {
    const { user, password } = await readJsonBody(req, loginSchema, 8 * 1024);
    const verdict = throttle.attempt(user, address, o.now());
    if (!verdict.ok) {
      refusals.add(verdict.locked ? 'locked' : 'slowed', user, address, o.now());
      const s = Math.ceil(verdict.retryAfterMs / 1000);
      refuse(
        429,
        verdict.locked
          ? `locked out after repeated failed logins: try again in ${Math.ceil(s / 60)} min`
          : `too many failed logins: try again in ${s} s`,
        verdict.retryAfterMs,
      );
    }
    const checked = await checks.run(() => authenticate(o.usersFile, user, password));
    if (!checked) {
      refusals.add('busy', user, address, o.now());
      refuse(503, 'too many logins at this moment: try again in a second', 1000);
    }
    const entry = checked?.value;
    if (!entry) {
      refusals.add('wrong_password', user, address, o.now(), verdict.ok && verdict.lockedOut);
      o.log.debug({ user, address }, 'console login refused');
      throw new HttpError(401, 'wrong user name or password');
    }
    throttle.succeeded(user, address, o.now());
    const { token, session } = await o.sessions.create(entry.user, entry.role, o.now());
    o.setCookie(res, token, Math.floor(o.sessionMaxAgeMs / 1000));
    o.audit({ action: 'login', user: entry.user, role: entry.role, session: session.id, address });
    o.log.info({ user: entry.user, role: entry.role, address }, 'console login');
    sendJson(res, 200, {
      user: entry.user,
      role: entry.role,
      csrf: session.csrf,
      home: typeof o.home === 'string' ? o.home : o.home(entry.role),
    });
  };

  return {
    handle,
    close: () => {
      clearInterval(timer);
      flush();
    },
  };
}
