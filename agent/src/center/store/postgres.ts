import pg from 'pg';
import { openBlobStore } from './blob-store.ts';
import type { Db, Row } from './db.ts';
import { createSqlStore, migrate } from './sql-store.ts';
import type { CenterStore } from './types.ts';

// BIGINT (times in ms) and COUNT/SUM come back as strings by default; every value the archive keeps fits a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

/**
 * The city's archive: one PostgreSQL shared by every center instance, and the snapshots' files in `blobDir` (shared by
 * the instances too: a network file system or volume every instance mounts).
 */
export async function openPostgresStore(opts: {
  url: string;
  blobDir: string;
  password?: string;
  poolSize?: number;
}): Promise<CenterStore> {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolSize ?? 10,
    // A server that does not answer is a failed write to retry, not a wait that holds a message (and a shutdown) forever.
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    ...(opts.password !== undefined ? { password: opts.password } : {}),
  });
  pool.on('error', () => undefined); // an idle client dropped by the server is replaced on the next query
  const over = (q: { query: pg.Pool['query'] } | pg.PoolClient, inTx: boolean): Db => {
    const db: Db = {
      dialect: 'postgres',
      all: async (sql, params = []) => (await q.query(sql, params)).rows as Row[],
      run: async (sql, params = []) => (await q.query(sql, params)).rowCount ?? 0,
      tx: async (fn) => {
        if (inTx) return fn(db);
        const client = await pool.connect();
        // A server going away while this client is checked out fails its query (a retried write); without a listener
        // the client's own error event would end the process.
        let broken = false;
        const lost = () => {
          broken = true;
        };
        client.on('error', lost);
        try {
          await client.query('BEGIN');
          const out = await fn(over(client, true));
          await client.query('COMMIT');
          return out;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        } finally {
          client.off('error', lost);
          client.release(broken);
        }
      },
      sizeBytes: async () => {
        const { rows } = await pool.query(
          "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'",
        );
        return Number(rows[0]?.n ?? 0);
      },
      listen: (channel, on) => listenOn(pool, channel, on),
      close: () => pool.end(),
    };
    return db;
  };
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end();
    throw new Error(
      `cannot reach PostgreSQL at ${opts.url.replace(/\/\/[^@/]*@/, '//***@')} (${(err as Error).message}): check storage.url and that the server is running`,
    );
  }
  const db = over(pool, false);
  await migrate(db);
  return createSqlStore(db, await openBlobStore(opts.blobDir));
}

/**
 * LISTEN on a connection of its own, taken again 1 s after it is lost (the server restarting): `on(null)` then says
 * notifications may have been missed.
 */
function listenOn(pool: pg.Pool, channel: string, on: (payload: string | null) => void): () => void {
  let stopped = false;
  let client: pg.PoolClient | undefined;
  let lost = false;
  const retry = () => {
    lost = true;
    if (!stopped) setTimeout(() => void open(), 1000).unref();
  };
  const open = async () => {
    let c: pg.PoolClient | undefined;
    try {
      c = await pool.connect();
      if (stopped) return c.release();
      const mine = c;
      mine.on('notification', (n) => {
        if (n.channel === channel) on(n.payload ?? '');
      });
      mine.on('error', () => {
        if (client !== mine) return;
        client = undefined;
        mine.release(true);
        retry();
      });
      await mine.query(`LISTEN ${channel}`);
      client = mine;
      if (lost) on(null);
      lost = false;
    } catch {
      if (c && client !== c) c.release(true);
      retry();
    }
  };
  void open();
  return () => {
    stopped = true;
    client?.release();
    client = undefined;
  };
}
