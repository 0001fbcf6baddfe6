import { type ExecFileSyncOptions, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.ts';

export interface Postgres {
  port: number;
  /** postgres://jifang@127.0.0.1:PORT/jifang */
  url: string;
  dir: string;
  /** A fresh database in this cluster (one per test file keeps them apart). */
  createDatabase(name: string): string;
  stop(): void;
  /** Stops and starts the server on the same data and port (the archive survives). */
  restart(): void;
  remove(): void;
}

const BIN = ['/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin'].find((d) => existsSync(join(d, 'initdb')));

/**
 * A throwaway PostgreSQL cluster of Debian's `postgresql` package (scripts/setup.sh --test installs it): initdb in a temp
 * folder, pg_ctl on a free loopback port, trust auth for the `jifang` superuser. PostgreSQL refuses to run as root,
 * so as root it runs as the `postgres` system user.
 */
export async function startPostgres(settings: { durable?: boolean } = {}): Promise<Postgres> {
  if (!BIN) throw new Error('PostgreSQL binaries not found under /usr/lib/postgresql/*/bin: run "bash scripts/setup.sh --test"');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'jifang-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const ids = asRoot
    ? { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) }
    : undefined;
  if (ids) chownSync(dir, ids.uid, ids.gid);
  const opts: ExecFileSyncOptions = { stdio: 'pipe', cwd: dir, ...(ids ?? {}) };
  const run = (cmd: string, args: string[]) => {
    try {
      return execFileSync(join(BIN, cmd), args, opts).toString();
    } catch (err) {
      const e = err as { stderr?: Buffer; stdout?: Buffer };
      const log = existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8') : '';
      throw new Error(`${cmd} ${args.join(' ')} failed: ${e.stderr?.toString() ?? ''}${e.stdout?.toString() ?? ''}\n${log}`);
    }
  };
  run('initdb', ['-D', data, '-U', 'jifang', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale', 'C']);
  // Durability settings off for tests: the cluster is thrown away, and the machine is shared. A benchmark asks for them
  // on, as a city's archive runs: every commit waits for its WAL on disk.
  const durability = settings.durable ? '' : '-c fsync=off -c synchronous_commit=off -c full_page_writes=off';
  const serverOpts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 ${durability} -c max_connections=200`;
  const start = () => run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-o', serverOpts, '-w', '-t', '60', 'start']);
  const stop = () => {
    if (existsSync(join(data, 'postmaster.pid'))) run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  };
  start();
  const base = `postgres://jifang@127.0.0.1:${port}`;
  return {
    port,
    dir,
    url: `${base}/postgres`,
    createDatabase: (name) => {
      run('psql', [
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-U',
        'jifang',
        '-d',
        'postgres',
        '-v',
        'ON_ERROR_STOP=1',
        '-c',
        `CREATE DATABASE "${name}"`,
      ]);
      return `${base}/${name}`;
    },
    stop,
    restart: () => {
      stop();
      start();
    },
    remove: () => {
      stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
