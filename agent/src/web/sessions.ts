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

/** What a session store keeps under a token's hash: the session and when it ends unless seen again. */
export interface StoredSession {
  user: string;
  role: Role;
  csrf: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

/**
 * Where sessions live, keyed by the SHA-256 of their token (a stolen copy of the store logs nobody in): the box keeps
 * them in memory, the center in its archive so that any instance serves them and they survive a restart.
 */
export interface SessionStore {
  get(key: string): Promise<StoredSession | undefined>;
  put(key: string, session: StoredSession): Promise<void>;
  touch(key: string, lastSeenAt: number, expiresAt: number): Promise<void>;
  delete(key: string): Promise<void>;
}

export interface SessionOptions {
  idleMs: number;
  maxAgeMs: number;
}

export const DEFAULT_SESSIONS: SessionOptions = { idleMs: 30 * 60_000, maxAgeMs: 12 * 3600_000 };

/** A session seen again within this time is not written back: a page's many requests make one write, not many. */
const TOUCH_EVERY_MS = 15_000;

/** In memory: a restart of the process logs everyone out, which is what a box's console wants. */
export class MemorySessionStore implements SessionStore {
  private readonly byKey = new Map<string, StoredSession>();

  async get(key: string): Promise<StoredSession | undefined> {
    const s = this.byKey.get(key);
    return s && { ...s };
  }

  async put(key: string, session: StoredSession): Promise<void> {
    this.byKey.set(key, { ...session });
  }

  async touch(key: string, lastSeenAt: number, expiresAt: number): Promise<void> {
    const s = this.byKey.get(key);
    if (s) Object.assign(s, { lastSeenAt, expiresAt });
  }

  async delete(key: string): Promise<void> {
    this.byKey.delete(key);
  }
}

/** Login sessions over a store: tokens made here, expiry (idle and absolute) decided here, whatever the store. */
export class Sessions {
  constructor(
    private readonly store: SessionStore,
    private readonly opts: SessionOptions = DEFAULT_SESSIONS,
  ) {}

  async create(user: string, role: Role, now: number): Promise<{ token: string; session: Session }> {
    const token = randomBytes(32).toString('base64url');
    const stored = { user, role, csrf: randomBytes(24).toString('base64url'), createdAt: now, lastSeenAt: now };
    await this.store.put(keyOf(token), { ...stored, expiresAt: this.expiry(now, now) });
    return { token, session: { id: idOf(token), ...stored } };
  }

  /** The live session of `token`, its idle clock restarted; an expired one is deleted. */
  async get(token: string | undefined, now: number): Promise<Session | undefined> {
    if (!token) return undefined;
    const key = keyOf(token);
    const s = await this.store.get(key);
    if (!s) return undefined;
    if (now >= s.expiresAt || now - s.lastSeenAt > this.opts.idleMs || now - s.createdAt > this.opts.maxAgeMs) {
      await this.store.delete(key);
      return undefined;
    }
    if (now - s.lastSeenAt >= TOUCH_EVERY_MS) await this.store.touch(key, now, this.expiry(s.createdAt, now));
    return { id: idOf(token), user: s.user, role: s.role, csrf: s.csrf, createdAt: s.createdAt, lastSeenAt: now };
  }

  async delete(token: string | undefined): Promise<void> {
    if (token) await this.store.delete(keyOf(token));
  }

  private expiry(createdAt: number, lastSeenAt: number): number {
    return Math.min(createdAt + this.opts.maxAgeMs, lastSeenAt + this.opts.idleMs);
  }
}

/** The key a store keeps a session under: the token's SHA-256, never the token. */
export function keyOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function idOf(token: string): string {
  return keyOf(token).slice(0, 12);
}

export function csrfMatches(session: Session, sent: string | undefined): boolean {
  if (!sent) return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(sent);
  return a.length === b.length && timingSafeEqual(a, b);
}
