/**
 * Whether a failed write is about the message (the store will refuse it however often it is tried) or about the
 * store (down, restarting, busy: worth retrying). Unknown errors count as the store's: retrying loses nothing.
 */
export type WriteFailure = { kind: 'refused' | 'transient'; code: string | null; message: string };

/** SQLite result codes that name the data: constraint (incl. a trigger's RAISE), type mismatch, too big, bad binding. */
const SQLITE_REFUSALS = /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/;
/** PostgreSQL SQLSTATE classes: 22 data exception, 23 integrity constraint; 54000 program limit (an index row too big). */
const PG_REFUSALS = /^(22|23)[0-9A-Z]{3}$|^54000$/;

export function classifyWriteError(err: unknown): WriteFailure {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : null;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const refused = code !== null && (SQLITE_REFUSALS.test(code) || PG_REFUSALS.test(code));
  return { kind: refused ? 'refused' : 'transient', code, message };
}
