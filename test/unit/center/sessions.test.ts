import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../agent/src/center/store/sqlite.ts';
import type { CenterStore } from '../../../agent/src/center/store/types.ts';
import { keyOf, Sessions } from '../../../agent/src/web/sessions.ts';

/** The center's console sessions in its archive, on a real SQLite file. */
const MIN = 60_000;
const T0 = Date.parse('2026-12-01T08:00:00Z');
const OPTS = { idleMs: 30 * MIN, maxAgeMs: 12 * 60 * MIN };

let dir: string;
let path: string;
let store: CenterStore;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jifang-sessions-unit-'));
  path = join(dir, 'center.db');
  store = await openSqliteStore(path);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const rows = () => {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT * FROM sessions').all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
};

describe('center sessions in the archive (SQLite)', () => {
  it('a session made before a restart is served after it, with its user, role and CSRF token', async () => {
    const { token, session } = await new Sessions(store.sessions, OPTS).create('olga', 'operator', T0);
    await store.close();
    store = await openSqliteStore(path);
    const again = await new Sessions(store.sessions, OPTS).get(token, T0 + 5 * MIN);
    expect(again).toMatchObject({ id: session.id, user: 'olga', role: 'operator', csrf: session.csrf, createdAt: T0 });
  });

  it('keeps the hash of the token, never the token itself', async () => {
    const { token } = await new Sessions(store.sessions, OPTS).create('olga', 'operator', T0);
    const all = rows();
    expect(all).toHaveLength(1);
    expect(all[0]?.token_hash).toBe(keyOf(token));
    expect(JSON.stringify(all)).not.toContain(token);
  });

  it('ends a session idle too long, and deletes its row', async () => {
    const sessions = new Sessions(store.sessions, OPTS);
    const { token } = await sessions.create('olga', 'operator', T0);
    expect(await sessions.get(token, T0 + 20 * MIN)).toBeDefined();
    // Seen at +20 min: the idle clock restarted there, so +45 min is still within 30 min of it.
    expect(await sessions.get(token, T0 + 45 * MIN)).toBeDefined();
    expect(await sessions.get(token, T0 + 80 * MIN)).toBeUndefined();
    expect(rows()).toHaveLength(0);
  });

  it('ends a session at its maximum age however active it is', async () => {
    const sessions = new Sessions(store.sessions, OPTS);
    const { token } = await sessions.create('olga', 'operator', T0);
    for (let t = T0; t < T0 + OPTS.maxAgeMs; t += 20 * MIN) expect(await sessions.get(token, t)).toBeDefined();
    expect(await sessions.get(token, T0 + OPTS.maxAgeMs + MIN)).toBeUndefined();
  });

  it('logout deletes the row: the token no longer opens a session', async () => {
    const sessions = new Sessions(store.sessions, OPTS);
    const { token } = await sessions.create('olga', 'operator', T0);
    const other = await sessions.create('dmitri', 'dispatcher', T0);
    await sessions.delete(token);
    expect(await sessions.get(token, T0 + MIN)).toBeUndefined();
    expect(await sessions.get(other.token, T0 + MIN)).toMatchObject({ user: 'dmitri' });
    expect(rows().map((r) => r.user_name)).toEqual(['dmitri']);
  });

  it('a token never issued opens nothing', async () => {
    await new Sessions(store.sessions, OPTS).create('olga', 'operator', T0);
    expect(await new Sessions(store.sessions, OPTS).get('not-a-token', T0)).toBeUndefined();
  });

  it('a login sweeps away the rows of sessions already expired', async () => {
    const expired = { user: 'gone', role: 'viewer' as const, csrf: 'x', createdAt: 0, lastSeenAt: 0, expiresAt: 1 };
    await store.sessions.put(keyOf('stale'), expired);
    await store.close();
    store = await openSqliteStore(path);
    await new Sessions(store.sessions, OPTS).create('olga', 'operator', Date.now());
    expect(rows().map((r) => r.user_name)).toEqual(['olga']);
  });
});
