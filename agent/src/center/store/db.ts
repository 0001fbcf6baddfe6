import type { Dialect } from './migrations.ts';

export type Row = Record<string, unknown>;

/** The two engines behind one shape: `$1…` placeholders, rows as plain objects, a transaction that serialises. */
export interface Db {
  readonly dialect: Dialect;
  all(sql: string, params?: unknown[]): Promise<Row[]>;
  run(sql: string, params?: unknown[]): Promise<number>;
  tx<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  sizeBytes(): Promise<number>;
  /**
   * Calls `on` with each notification on `channel` (PostgreSQL NOTIFY), and with null once listening again after a lost
   * connection; returns the way to stop. SQLite has no other writer to hear: it never calls `on`.
   */
  listen(channel: string, on: (payload: string | null) => void): () => void;
  close(): Promise<void>;
}

export const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
export const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));
export const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
export const ms = (iso: string | undefined): number | null => (iso ? Date.parse(iso) : null);
