import { connect } from 'node:net';

export interface HostPort {
  host: string;
  port: number;
}

const defaultPorts: Record<string, number> = { 'rtsp:': 554, 'rtsps:': 322, 'http:': 80, 'https:': 443 };

/** The TCP address a network stream URL connects to; undefined for files and URLs without a host. Pure. */
export function streamAddress(url: string): HostPort | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const port = u.port ? Number(u.port) : defaultPorts[u.protocol];
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return host && port ? { host, port } : undefined;
}

/** Whether a TCP connection to `addr` opens within `timeoutMs`: cheap, sends nothing, closed at once. */
export function tcpAnswers(addr: HostPort, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: addr.host, port: addr.port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
