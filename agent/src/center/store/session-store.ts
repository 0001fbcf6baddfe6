import { roleSchema } from '../../web/passwords.ts';
import { type Db, num } from './db.ts';
import type { CenterSessions } from './types.ts';

/** Expired rows are swept at most this often, on a login (a session read past its expiry is deleted at once). */
const SWEEP_EVERY_MS = 10 * 60_000;

/**
 * The console's sessions in the archive: any center instance on the same store serves them, and they survive a
 * restart. Rows are keyed by the token's hash; the token itself is never stored.
 */
export function createSessionStore(db: Db, now: () => number = Date.now): CenterSessions {
  let sweptAt = Number.NEGATIVE_INFINITY;
  return {
    get: async (key) => {
      const [r] = await db.all('SELECT user_name, role, csrf, created_at, last_seen_at, expires_at FROM sessions WHERE token_hash = $1', [
        key,
      ]);
      if (!r) return undefined;
      const role = roleSchema.safeParse(r.role);
      // A role this version does not know grants nothing.
      if (!role.success) return undefined;
      return {
        user: String(r.user_name),
        role: role.data,
        csrf: String(r.csrf),
        createdAt: num(r.created_at),
        lastSeenAt: num(r.last_seen_at),
        expiresAt: num(r.expires_at),
      };
    },
    put: async (key, s) => {
      const at = now();
      if (at - sweptAt >= SWEEP_EVERY_MS) {
        sweptAt = at;
        await db.run('DELETE FROM sessions WHERE expires_at <= $1', [at]);
      }
      await db.run(
        'INSERT INTO sessions (token_hash, user_name, role, csrf, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [key, s.user, s.role, s.csrf, s.createdAt, s.lastSeenAt, s.expiresAt],
      );
    },
    touch: async (key, lastSeenAt, expiresAt) => {
      await db.run('UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE token_hash = $1 AND last_seen_at < $2', [
        key,
        lastSeenAt,
        expiresAt,
      ]);
    },
    delete: async (key) => {
      await db.run('DELETE FROM sessions WHERE token_hash = $1', [key]);
    },
    endUser: async (user) => {
      await db.run('DELETE FROM sessions WHERE user_name = $1', [user]);
    },
  };
}
