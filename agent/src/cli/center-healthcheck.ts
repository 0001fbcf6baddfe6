import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { CenterConfig } from '../center/config.ts';
import type { Io } from './command.ts';

const TIMEOUT_MS = 5000;

/** Where this machine reaches the console of `http`: a wildcard listen address is asked on loopback. */
export function healthzUrl(http: CenterConfig['http']): string {
  const host = http.host === '0.0.0.0' || http.host === '' ? '127.0.0.1' : http.host === '::' ? '::1' : http.host;
  return `${http.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${http.port}/healthz`;
}

/**
 * `jifang center healthcheck CONFIG`: exit 0 when the center of CONFIG answers `/healthz` with ok — the broker
 * connected and the archive taking writes; no login needed. For a container HEALTHCHECK and the systemd unit's
 * timer. The console's certificate is not judged here (it may name the public host, not loopback).
 */
export async function centerHealthcheck(cfg: CenterConfig, io: Io): Promise<number> {
  const url = healthzUrl(cfg.http);
  const answer = await get(url).catch((err: Error) => ({ status: 0, body: err.message }));
  if (answer.status === 200) {
    io.out.write('ok\n');
    return 0;
  }
  io.err.write(`${url}: ${answer.status ? `HTTP ${answer.status} ` : ''}${answer.body.slice(0, 500)}\n`);
  return 1;
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = request(url, { method: 'GET', timeout: TIMEOUT_MS, rejectUnauthorized: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end();
  });
}
