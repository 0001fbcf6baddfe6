import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProcess, type Started } from './child.ts';
import { freePort } from './ports.ts';

export interface Mosquitto extends Started {
  port: number;
  url: string;
  dir: string;
}

/**
 * Starts a real mosquitto broker with its own config file. `extraConfig` is appended to the
 * listener block (TLS files, password_file, acl_file …); without it the broker allows anonymous clients.
 */
export async function startMosquitto(opts: { port?: number; extraConfig?: string; persistence?: boolean; dir?: string } = {}): Promise<Mosquitto> {
  const port = opts.port ?? (await freePort());
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'jifang-mosquitto-'));
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      opts.extraConfig ?? 'allow_anonymous true',
      `persistence ${opts.persistence ? 'true' : 'false'}`,
      `persistence_location ${dir}/`,
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      'log_type notice',
      'log_type information',
      '',
    ].join('\n'),
  );
  const s = await startProcess('/usr/sbin/mosquitto', ['-c', conf], /running|Opening ipv4 listen socket/, { cwd: dir });
  return Object.assign(s, { port, dir, url: `mqtt://127.0.0.1:${port}` });
}
