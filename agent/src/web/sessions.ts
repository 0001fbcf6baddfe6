import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role } from './passwords.ts';

export interface Session {
  /** Short id for logs and the audit log (a hash prefix of the token, never the token). */
  id: string;
  user: string;
  role: Role;
  /** Sent back in the X-CSRF-Token header of every change. */
  csrf: string;
  createdAt: number;
  lastSeenAt: number;
}

export interface SessionOptions {
  idleMs: number;
  maxAgeMs: number;
}

export const DEFAULT_SESSIONS: SessionOptions = { idleMs: 30 * 60_000, maxAgeMs: 12 * 3600_000 };

/** In memory: a restart of the process logs everyone out, which is what a box's console wants. */
export class SessionStore {
  private readonly byToken = new Map<string, Session>();

  constructor(private readonly opts: SessionOptions = DEFAULT_SESSIONS) {}

  create(user: string, role: Role, now: number): { token: string; session: Session } {
    const token = randomBytes(32).toString('base64url');
    const session: Session = { id: idOf(token), user, role, csrf: randomBytes(24).toString('base64url'), createdAt: now, lastSeenAt: now };
    this.byToken.set(token, session);
    return { token, session };
  }

  /** The live session of `token`, its idle clock restarted; expired ones are dropped. */
  get(token: string | undefined, now: number): Session | undefined {
    if (!token) return undefined;
    const s = this.byToken.get(token);
    if (!s) return undefined;
    if (now - s.lastSeenAt > this.opts.idleMs || now - s.createdAt > this.opts.maxAgeMs) {
      this.byToken.delete(token);
      return undefined;
    }
    s.lastSeenAt = now;
    return s;
  }

  delete(token: string | undefined): void {
    if (token) this.byToken.delete(token);
  }

  /** Ends every session of `user` (after a password change). */
  deleteUser(user: string): void {
    for (const [t, s] of this.byToken) if (s.user === user) this.byToken.delete(t);
  }
}

export function idOf(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 12);
}

export function csrfMatches(session: Session, sent: string | undefined): boolean {
  if (!sent) return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(sent);
  return a.length === b.length && timingSafeEqual(a, b);
}
