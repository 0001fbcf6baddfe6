import { connect } from 'node:net';

export interface HostPort {
  host: string;
  port: number;
}

const streamPorts: Record<string, number> = { 'rtsp:': 554, 'rtsps:': 322, 'http:': 80, 'https:': 443 };

/**
 * The TCP address a network URL connects to (`defaultPorts` by scheme, e.g. `'rtsp:'`, when the URL names none);
 * undefined for files and URLs without a host. Pure.
 */
export function streamAddress(url: string, defaultPorts: Record<string, number> = streamPorts): HostPort | undefined {
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

/**
 * During a long backoff, a TCP connect to `addr` every `everyMs`: once it has failed and then answers (the peer or the
 * network back after an outage), `onReturn` is called once, so the reconnect happens now rather than at the end of a
 * backoff grown to its maximum. A peer that answers at the first probe fails for another reason (password, protocol)
 * and is left to the backoff: probing stops. Returns a function that stops the probing.
 */
export function watchForReturn(addr: HostPort, everyMs: number, onReturn: () => void): () => void {
  let stopped = false;
  let sawDown = false;
  let timer: NodeJS.Timeout | undefined;
  const probe = async () => {
    const answers = await tcpAnswers(addr, everyMs);
    if (stopped || (answers && !sawDown)) return;
    if (answers) {
      stopped = true;
      onReturn();
      return;
    }
    sawDown = true;
    timer = setTimeout(() => void probe(), everyMs);
  };
  timer = setTimeout(() => void probe(), everyMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
