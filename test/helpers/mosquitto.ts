import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestCerts, type TestCerts } from './certs.ts';
import { type Started, startProcess } from './child.ts';
import { freePort } from './ports.ts';

export interface Mosquitto extends Started {
  port: number;
  url: string;
  dir: string;
}

/**
 * Starts a real mosquitto broker with its own config file. `extraConfig` is appended to the
 * listener block (TLS files, password_file, acl_file …); without it the broker allows anonymous clients.
 * Restarting on the same `port` and `dir` with `persistence` keeps sessions and retained messages.
 */
export async function startMosquitto(
  opts: { port?: number; extraConfig?: string; persistence?: boolean; dir?: string } = {},
): Promise<Mosquitto> {
  const port = opts.port ?? (await freePort());
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'jifang-mosquitto-'));
  const config = [
    `listener ${port} 127.0.0.1`,
    opts.extraConfig ?? 'allow_anonymous true',
    `persistence ${opts.persistence ? 'true' : 'false'}`,
    `persistence_location ${dir}/`,
  ].join('\n');
  const s = await runMosquitto(dir, config);
  return Object.assign(s, { port, dir, url: `mqtt://127.0.0.1:${port}` });
}

/** Runs mosquitto on a complete config (logging to stderr is added); resolves once it says it is running. */
export function runMosquitto(dir: string, config: string): Promise<Started> {
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      // As root, mosquitto 2 drops to the "mosquitto" user before reading the password/ACL files and the
      // persistence folder, which live in this test's private temp folder: keep the test's own user.
      ...(process.getuid?.() === 0 ? ['user root'] : []),
      config,
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      'log_type notice',
      'log_type information',
      '',
    ].join('\n'),
  );
  // Seconds, not milliseconds, on a loaded machine.
  return startProcess('/usr/sbin/mosquitto', ['-c', conf], /mosquitto version [\d.]+ running/, { cwd: dir, timeoutMs: 30_000 });
}

export interface SecureMosquitto extends Mosquitto {
  certs: TestCerts;
}

/**
 * A broker as a command center would run it: TLS only (client certificate required, from a CA the test makes
 * with openssl), users from a `mosquitto_passwd` file, topics restricted by `acl` (mosquitto acl_file syntax).
 */
export async function startSecureMosquitto(opts: {
  users: Record<string, string>;
  acl: string;
  port?: number;
  dir?: string;
  persistence?: boolean;
}): Promise<SecureMosquitto> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'jifang-mosquitto-tls-'));
  const certs = makeTestCerts(join(dir, 'certs'));
  const passwd = writePasswordFile(join(dir, 'passwd'), opts.users);
  const acl = join(dir, 'acl');
  writeFileSync(acl, opts.acl);
  const m = await startMosquitto({
    dir,
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.persistence !== undefined ? { persistence: opts.persistence } : {}),
    extraConfig: [
      'allow_anonymous false',
      `cafile ${certs.ca}`,
      `certfile ${certs.serverCert}`,
      `keyfile ${certs.serverKey}`,
      'require_certificate true',
      `password_file ${passwd}`,
      `acl_file ${acl}`,
    ].join('\n'),
  });
  return Object.assign(m, { certs, url: `mqtts://127.0.0.1:${m.port}` });
}

/** A mosquitto password file made by the real `mosquitto_passwd` (salted hashes). */
export function writePasswordFile(path: string, users: Record<string, string>): string {
  writeFileSync(path, '');
  for (const [user, password] of Object.entries(users)) execFileSync('mosquitto_passwd', ['-b', path, user, password], { stdio: 'pipe' });
  return path;
}
