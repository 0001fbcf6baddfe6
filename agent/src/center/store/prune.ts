import { type Db, num, type Row } from './db.ts';

/** Rows looked at or deleted per statement while pruning: one statement never holds the archive for long. */
export const PRUNE_BATCH = 500;

/**
 * The keys of the oldest rows of a query (selecting `k` and `bytes`, oldest first) whose bytes add up to at least
 * `excess`: what must go for the rest to fit a budget.
 */
export async function oldestBeyond(db: Db, sql: string, params: unknown[], excess: number): Promise<unknown[]> {
  const keys: unknown[] = [];
  let freed = 0;
  for (let offset = 0; freed < excess; offset += PRUNE_BATCH) {
    const rows = await db.all(`${sql} LIMIT ${PRUNE_BATCH} OFFSET ${offset}`, params);
    for (const r of rows) {
      if (freed >= excess) break;
      keys.push(r.k);
      freed += num(r.bytes);
    }
    if (rows.length < PRUNE_BATCH) break;
  }
  return keys;
}

/**
 * Deletes the rows of `table` with these keys, a batch per statement, and returns the rows actually deleted (`key`
 * and `bytes`): another instance pruning at the same time does not make a deletion count twice.
 */
export async function deleteKeys(db: Db, table: string, key: string, keys: readonly unknown[]): Promise<Row[]> {
  const gone: Row[] = [];
  for (let i = 0; i < keys.length; i += PRUNE_BATCH) {
    const chunk = keys.slice(i, i + PRUNE_BATCH);
    const marks = chunk.map((_, j) => `$${j + 1}`).join(', ');
    gone.push(...(await db.all(`DELETE FROM ${table} WHERE ${key} IN (${marks}) RETURNING ${key} AS k, bytes`, [...chunk])));
  }
  return gone;
}

export const sumBytes = (rows: readonly Row[]): number => rows.reduce((s, r) => s + num(r.bytes), 0);
